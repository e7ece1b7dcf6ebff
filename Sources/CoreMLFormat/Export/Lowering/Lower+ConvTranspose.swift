import FerryIR
import FerryRuntime

extension MILEmitter {
    /// ConvTranspose → conv_transpose with pad_type custom (MIL's weights are ONNX's, input
    /// channel first). Pads from output_shape or auto_pad are worked out by the reference
    /// core's geometry, odd ones included; output_padding, which extends the end of each axis,
    /// is taken from the end pad it would be cut by (as coremltools does), and refused where
    /// the end pad is smaller.
    func lowerConvTranspose(_ node: Node) throws {
        let a = NodeAttributes(exporting: node)
        guard let x = node.input(0) else { throw unsupported(node, "input 0 is missing") }
        let weightShape = try staticShape(node.inputs[1], node)
        let spatial = weightShape.count - 2
        guard spatial >= 1 && spatial <= 2 else { throw unsupported(node, "\(spatial)-d transposed convolution (MIL's weights are 1-D or 2-D)") }
        let xShape = try staticShape(x, node), yShape = try staticShape(node.outputs[0], node)
        let group = try a.int("group", default: 1)
        let outputPadding = try a.ints("output_padding") ?? Array(repeating: 0, count: spatial)
        guard outputPadding.count == spatial else { throw unsupported(node, "output_padding does not have \(spatial) values") }
        // Pads [b0, b1, …, e0, e1, …] cut from the full scatter (in − 1)·stride + extent +
        // output_padding, placed as the reference core places them (with output_shape or
        // auto_pad, an odd total's extra pixel as onnxruntime puts it).
        let window = try lowering(node) { try WindowAttributes(a) }
        let geometry = try lowering(node) {
            try window.resolveTransposed(input: Array(xShape[2...]), kernel: Array(weightShape[2...]), outputPadding: outputPadding,
                                         outputShape: try a.ints("output_shape"))
        }
        guard geometry.output == Array(yShape[2...]) else {
            throw CoreMLExportError.preparation("\(node.label) gives \(geometry.output) where shape inference gave \(yShape)")
        }
        let (strides, dilations) = (geometry.strides, geometry.dilations)
        var pads = geometry.padBegin + geometry.padEnd
        guard pads.allSatisfy({ $0 >= 0 }) else { throw unsupported(node, "an output_shape beyond the full transposed convolution (pads \(pads))") }
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
