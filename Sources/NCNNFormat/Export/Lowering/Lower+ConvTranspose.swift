import FerryIR
import FerryRuntime

extension NCNNEmitter {
    /// ConvTranspose (2-D) → Deconvolution (group 1) or DeconvolutionDepthWise, with the bias
    /// and a following activation folded in. NCNN scatters each input pixel through the kernel
    /// as ONNX does, with weights ordered output channel first within each group (ONNX's are
    /// input channel first), then cuts the pads; output_padding extends the bottom and right.
    /// Pads from output_shape or auto_pad are worked out by the reference core's geometry,
    /// odd ones included.
    func lowerConvTranspose(_ node: Node) throws {
        guard let x = node.input(0), let weightName = node.input(1) else { throw unsupported(node, "X or W is missing") }
        let weight = try constantInput(node, 1)
        let xShape = try shape(x), output = node.outputs[0], yShape = try shape(output)
        guard weight.rank == 4, xShape.count == 4, xShape[0] == 1 else {
            throw unsupported(node, "only 2-D transposed convolutions of one sample map to NCNN (input \(xShape), weight \(weight.shape))")
        }
        let a = NodeAttributes(exporting: node)
        let group = try a.int("group", default: 1)
        var outputPadding = try a.ints("output_padding") ?? [0, 0]
        let (inChannels, kh, kw) = (weight.shape[0], weight.shape[2], weight.shape[3])
        let outChannels = weight.shape[1] * group
        guard group > 0, inChannels % group == 0, xShape[1] == inChannels, outputPadding.count == 2 else {
            throw unsupported(node, "weight \(weight.shape), group \(group) or output_padding are not 2-D and consistent")
        }
        // The pads cut from the full scatter, placed as the reference core places them (with
        // output_shape or auto_pad, an odd total's extra pixel as onnxruntime puts it);
        // NCNN cuts any four pads.
        let window = try lowering(node) { try WindowAttributes(a) }
        let geometry = try lowering(node) {
            try window.resolveTransposed(input: [xShape[2], xShape[3]], kernel: [kh, kw], outputPadding: outputPadding, outputShape: try a.ints("output_shape"))
        }
        guard geometry.output == [yShape[2], yShape[3]] else {
            throw NCNNExportError.preparation("\(node.label) gives \(geometry.output) where shape inference gave \(yShape)")
        }
        let (strides, dilations) = (geometry.strides, geometry.dilations)
        var pads = geometry.padBegin + geometry.padEnd
        // An output_shape beyond the full scatter leaves a negative end pad: zeros at the end,
        // which is what NCNN's output_pad_bottom/right add.
        for i in 0..<2 where pads[i + 2] < 0 {
            outputPadding[i] -= pads[i + 2]
            pads[i + 2] = 0
        }
        guard pads.allSatisfy({ $0 >= 0 }) else { throw unsupported(node, "an output_shape beyond the full transposed convolution (pads \(pads)); NCNN only cuts") }
        var bias: [Float]?
        if node.input(2) != nil { bias = try floats(try constantInput(node, 2), node.inputs[2]) }
        var params: [Int: NCNNParamValue] = [
            0: .int(outChannels), 1: .int(kw), 11: .int(kh), 2: .int(dilations[1]), 12: .int(dilations[0]),
            3: .int(strides[1]), 13: .int(strides[0]), 4: .int(pads[1]), 14: .int(pads[0]), 15: .int(pads[3]), 16: .int(pads[2]),
            18: .int(outputPadding[1]), 19: .int(outputPadding[0]), 5: .int(bias == nil ? 0 : 1), 6: .int(weight.count),
        ]
        let type = group == 1 ? "Deconvolution" : "DeconvolutionDepthWise"
        if group != 1 { params[7] = .int(group) }
        if mode == .int8 && quantization.weights[weightName] != nil {
            floatLayers.append("\(node.label): NCNN's Deconvolution has no int8 form")
        }
        let activation = try fuseActivation(after: output)
        if let activation { params.merge(activation.layerParams) { $1 } }
        let result = activation?.output ?? output
        let values = Self.deconvolutionWeights(try floats(weight, weightName), shape: weight.shape, group: group)
        let blob = newBlob(result)
        try emit(type, name: node.name.isEmpty ? result : node.name, inputs: [try self.blob(x)], outputs: [blob], params: params) { w in
            self.appendWeight(values, into: &w)
            if let bias { w.append(bias, .rawFloat32) }
        }
        define(result, blob: blob, shape: try layout(result).shape)
    }

    /// ONNX ConvTranspose weights [in, out/group, kh, kw] in NCNN's order
    /// [group][out/group][in/group][kh][kw]; `inverse` goes back.
    static func deconvolutionWeights(_ values: [Float], shape: [Int], group: Int, inverse: Bool = false) -> [Float] {
        let (inGroup, outGroup, k) = (shape[0] / group, shape[1], shape[2] * shape[3])
        var result = values
        for g in 0..<group {
            for p in 0..<outGroup {
                for q in 0..<inGroup {
                    let onnx = ((g * inGroup + q) * outGroup + p) * k
                    let ncnn = ((g * outGroup + p) * inGroup + q) * k
                    for i in 0..<k {
                        if inverse { result[onnx + i] = values[ncnn + i] } else { result[ncnn + i] = values[onnx + i] }
                    }
                }
            }
        }
        return result
    }
}
