import FerryIR

extension MILEmitter {
    /// ConvTranspose → conv_transpose with pad_type custom (MIL's weights are ONNX's, input
    /// channel first). Pads from output_shape or auto_pad are worked out from the inferred
    /// output size; output_padding, which extends the end of each axis, is taken from the end
    /// pad it would be cut by (as coremltools does), and refused where the end pad is smaller.
    func lowerConvTranspose(_ node: Node) throws {
        let a = NodeAttributes(exporting: node)
        guard let x = node.input(0) else { throw unsupported(node, "input 0 is missing") }
        let weightShape = try staticShape(node.inputs[1], node)
        let spatial = weightShape.count - 2
        guard spatial >= 1 && spatial <= 2 else { throw unsupported(node, "\(spatial)-d transposed convolution (MIL's weights are 1-D or 2-D)") }
        let xShape = try staticShape(x, node), yShape = try staticShape(node.outputs[0], node)
        let group = try a.int("group", default: 1)
        let strides = try a.ints("strides") ?? Array(repeating: 1, count: spatial)
        let dilations = try a.ints("dilations") ?? Array(repeating: 1, count: spatial)
        let outputPadding = try a.ints("output_padding") ?? Array(repeating: 0, count: spatial)
        guard strides.count == spatial, dilations.count == spatial, outputPadding.count == spatial else {
            throw unsupported(node, "strides, dilations or output_padding do not have \(spatial) values")
        }
        // Pads [b0, b1, …, e0, e1, …] cut from the full scatter (in − 1)·stride + extent + output_padding.
        var pads = try a.ints("pads") ?? Array(repeating: 0, count: 2 * spatial)
        let autoPad = try a.string("auto_pad", default: "NOTSET")
        // As the reference core places them: from auto_pad alone, SAME_UPPER puts the larger
        // half last (with output_shape only even pads are taken, whose halves are equal).
        let outputShape = try a.ints("output_shape")
        if outputShape != nil || autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER" {
            for i in 0..<spatial {
                let full = (xShape[2 + i] - 1) * strides[i] + dilations[i] * (weightShape[2 + i] - 1) + 1 + outputPadding[i]
                let total = full - yShape[2 + i]
                guard total >= 0 else { throw unsupported(node, "an output_shape larger than the full transposed convolution") }
                // Where an odd pad's extra pixel goes with output_shape, ONNX's spec (and onnxruntime
                // 1.2x) and Ferry's reference core disagree, so the drift report could not vouch for it.
                guard outputShape == nil || total % 2 == 0 else {
                    throw unsupported(node, "output_shape \(outputShape!) leaves an odd padding of \(total) (runtimes place its extra pixel differently)")
                }
                let begin = autoPad == "SAME_LOWER" && outputShape == nil ? total - total / 2 : total / 2
                (pads[i], pads[i + spatial]) = (begin, total - begin)
            }
        } else if autoPad == "VALID" {
            pads = Array(repeating: 0, count: 2 * spatial)
        }
        guard pads.count == 2 * spatial, pads.allSatisfy({ $0 >= 0 }) else { throw unsupported(node, "pads \(pads)") }
        for i in 0..<spatial {
            guard pads[i + spatial] >= outputPadding[i] else {
                throw unsupported(node, "output_padding \(outputPadding) beyond the end pads (MIL's conv_transpose has no output padding)")
            }
            pads[i + spatial] -= outputPadding[i]
        }
        let out = node.outputs[0]
        var inputs: [(String, String)] = [("x", try input(node, 0)), ("weight", try input(node, 1))]
        if node.input(2) != nil { inputs.append(("bias", try input(node, 2))) }
        inputs += [("pad_type", string("custom", name: out + "_pad_type")),
                   ("pad", int32s((0..<spatial).flatMap { [pads[$0], pads[$0 + spatial]] }, name: out + "_pad")),
                   ("strides", int32s(strides, name: out + "_strides")), ("dilations", int32s(dilations, name: out + "_dilations")),
                   ("groups", int32s([group], name: out + "_groups", scalar: true))]
        try emit(node, "conv_transpose", inputs)
    }
}
