import FerryIR

extension NCNNEmitter {
    /// Conv → Convolution (group 1) or ConvolutionDepthWise (any other group), with the bias
    /// and a following Relu/Clip/LeakyRelu/Sigmoid/HardSwish folded in.
    func lowerConv(_ node: Node) throws {
        guard let x = node.input(0), let weightName = node.input(1) else { throw unsupported(node, "X or W is missing") }
        let weight = try constantInput(node, 1)
        let xShape = try shape(x)
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

    /// [top, left, bottom, right] padding from `pads` or `auto_pad`.
    func windowPads(_ node: Node, input: [Int], kernel: [Int], strides: [Int], dilations: [Int]) throws -> [Int] {
        let a = NodeAttributes(exporting: node)
        let autoPad = try a.string("auto_pad", default: "NOTSET")
        switch autoPad {
        case "NOTSET":
            let pads = try a.ints("pads") ?? [0, 0, 0, 0]
            guard pads.count == 4 else { throw unsupported(node, "pads \(pads) are not 2-D") }
            return [pads[0], pads[1], pads[2], pads[3]]
        case "VALID":
            return [0, 0, 0, 0]
        case "SAME_UPPER", "SAME_LOWER":
            var begin = [0, 0], end = [0, 0]
            for i in 0..<2 {
                let out = (input[i] + strides[i] - 1) / strides[i]
                let total = max((out - 1) * strides[i] + (kernel[i] - 1) * dilations[i] + 1 - input[i], 0)
                begin[i] = autoPad == "SAME_UPPER" ? total / 2 : total - total / 2
                end[i] = total - begin[i]
            }
            return [begin[0], begin[1], end[0], end[1]]
        default:
            throw unsupported(node, "auto_pad \(autoPad)")
        }
    }
}
