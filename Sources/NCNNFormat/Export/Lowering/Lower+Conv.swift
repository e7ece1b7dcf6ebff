import FerryIR

extension NCNNEmitter {
    /// Conv → Convolution (group 1) or ConvolutionDepthWise (any other group), with the bias
    /// and a following Relu/Clip/LeakyRelu/Sigmoid/HardSwish folded in.
    func lowerConv(_ node: Node) throws {
        guard let x = node.input(0), let weightName = node.input(1) else { throw unsupported(node, "X or W is missing") }
        let weight = try constantInput(node, 1)
        let xShape = try shape(x)
        if weight.rank == 3, xShape.count == 3, xShape[0] == 1 { return try lowerConv1D(node, x: x, weightName: weightName, weight: weight, xShape: xShape) }
        guard weight.rank == 4, xShape.count == 4, xShape[0] == 1 else {
            throw unsupported(node, "only 2-D convolutions of one sample map to NCNN (input \(xShape), weight \(weight.shape))")
        }
        let a = NodeAttributes(exporting: node)
        let group = try a.int("group", default: 1)
        let strides = try a.ints("strides") ?? [1, 1]
        let dilations = try a.ints("dilations") ?? [1, 1]
        let (kh, kw) = (weight.shape[2], weight.shape[3])
        if let kernel = try a.ints("kernel_shape"), kernel != [kh, kw] { throw unsupported(node, "kernel_shape \(kernel) differs from the weight's \([kh, kw])") }
        let pads = try windowPads(node, input: [xShape[2], xShape[3]], kernel: [kh, kw], strides: strides, dilations: dilations)
        let outChannels = weight.shape[0]
        var bias: [Float]?
        if node.input(2) != nil { bias = try floats(try constantInput(node, 2), node.inputs[2]) }
        var params: [Int: NCNNParamValue] = [
            0: .int(outChannels), 1: .int(kw), 11: .int(kh), 2: .int(dilations[1]), 12: .int(dilations[0]),
            3: .int(strides[1]), 13: .int(strides[0]), 4: .int(pads[1]), 14: .int(pads[0]), 15: .int(pads[3]), 16: .int(pads[2]),
            5: .int(bias == nil ? 0 : 1), 6: .int(weight.count),
        ]
        let type = group == 1 ? "Convolution" : "ConvolutionDepthWise"
        if group != 1 { params[7] = .int(group) }
        let activation = try fuseActivation(after: node.outputs[0])
        if let activation { params.merge(activation.layerParams) { $1 } }
        let output = activation?.output ?? node.outputs[0]

        // int8: per-channel weight scales must be per group for ConvolutionDepthWise.
        var int8: (NCNNQuantizationPlan.Weight, NCNNQuantizationPlan.Activation)?
        if mode == .int8, let q = quantization.weights[weightName], q.axis == 0, q.scales.count == outChannels,
           let act = quantization.activations[x] {
            if group == 1 || group == outChannels { int8 = (q, act) } else { floatLayers.append("\(node.label): grouped convolution with per-channel scales (NCNN has one scale per group)") }
        }
        if int8 != nil { params[8] = .int(1) }
        let outShape = try layout(output).shape
        let blob = newBlob(output)
        let weightValues = try floats(weight, weightName)
        try emit(type, name: node.name.isEmpty ? output : node.name, inputs: [try self.blob(x)], outputs: [blob], params: params) { w in
            if let (q, act) = int8 {
                w.appendInt8(q.values)
                if let bias { w.append(bias, .rawFloat32) }
                w.append(q.scales.map { $0 > 0 ? 1 / $0 : 1 }, .rawFloat32)
                w.append([act.ncnnScale], .rawFloat32)
            } else {
                self.appendWeight(weightValues, into: &w)
                if let bias { w.append(bias, .rawFloat32) }
            }
        }
        if int8 != nil { int8Layers.append(layers.last!.name) }
        define(output, blob: blob, shape: outShape)
    }

    /// Conv of one sample over [1, C, W] (audio front ends, 1-D encoders) → Convolution1D
    /// (group 1) or ConvolutionDepthWise1D, which read the blob as h = C rows of w = W. Float
    /// only: NCNN has no int8 1-D convolution, so an int8 conversion keeps these layers float.
    func lowerConv1D(_ node: Node, x: String, weightName: String, weight: Tensor, xShape: [Int]) throws {
        let a = NodeAttributes(exporting: node)
        let group = try a.int("group", default: 1)
        let stride = try a.ints("strides") ?? [1], dilation = try a.ints("dilations") ?? [1]
        let k = weight.shape[2]
        guard stride.count == 1, dilation.count == 1 else { throw unsupported(node, "strides \(stride) / dilations \(dilation) are not 1-D") }
        if let kernel = try a.ints("kernel_shape"), kernel != [k] { throw unsupported(node, "kernel_shape \(kernel) differs from the weight's \([k])") }
        let pads = try windowPads(node, input: [xShape[2]], kernel: [k], strides: stride, dilations: dilation)
        let outChannels = weight.shape[0]
        var bias: [Float]?
        if node.input(2) != nil { bias = try floats(try constantInput(node, 2), node.inputs[2]) }
        var params: [Int: NCNNParamValue] = [
            0: .int(outChannels), 1: .int(k), 2: .int(dilation[0]), 3: .int(stride[0]), 4: .int(pads[0]), 15: .int(pads[1]),
            5: .int(bias == nil ? 0 : 1), 6: .int(weight.count),
        ]
        if group != 1 { params[7] = .int(group) }
        // convolution1d.cpp applies activation types 1–5 (no HardSwish).
        let activation = try fuseActivation(after: node.outputs[0], types: [1, 2, 3, 4])
        if let activation { params.merge(activation.layerParams) { $1 } }
        let output = activation?.output ?? node.outputs[0]
        if mode == .int8 { floatLayers.append("\(node.label): 1-D convolution (NCNN has no int8 Convolution1D)") }
        let outShape = try layout(output).shape
        let blob = newBlob(output)
        let weightValues = try floats(weight, weightName)
        try emit(group == 1 ? "Convolution1D" : "ConvolutionDepthWise1D", name: node.name.isEmpty ? output : node.name,
                 inputs: [try self.blob(x)], outputs: [blob], params: params) { w in
            self.appendWeight(weightValues, into: &w)
            if let bias { w.append(bias, .rawFloat32) }
        }
        define(output, blob: blob, shape: outShape)
    }

    /// Padding per spatial axis from `pads` or `auto_pad`: all the begins, then all the ends
    /// ([top, left, bottom, right] in 2-D, [left, right] in 1-D).
    func windowPads(_ node: Node, input: [Int], kernel: [Int], strides: [Int], dilations: [Int]) throws -> [Int] {
        let a = NodeAttributes(exporting: node)
        let autoPad = try a.string("auto_pad", default: "NOTSET")
        let n = input.count
        switch autoPad {
        case "NOTSET":
            let pads = try a.ints("pads") ?? [Int](repeating: 0, count: 2 * n)
            guard pads.count == 2 * n else { throw unsupported(node, "pads \(pads) are not \(n)-D") }
            return pads
        case "VALID":
            return [Int](repeating: 0, count: 2 * n)
        case "SAME_UPPER", "SAME_LOWER":
            var begin = [Int](repeating: 0, count: n), end = [Int](repeating: 0, count: n)
            for i in 0..<n {
                let out = (input[i] + strides[i] - 1) / strides[i]
                let total = max((out - 1) * strides[i] + (kernel[i] - 1) * dilations[i] + 1 - input[i], 0)
                begin[i] = autoPad == "SAME_UPPER" ? total / 2 : total - total / 2
                end[i] = total - begin[i]
            }
            return begin + end
        default:
            throw unsupported(node, "auto_pad \(autoPad)")
        }
    }
}
