import FerryIR

extension MILEmitter {
    /// ConvTranspose → conv_transpose with pad_type custom (MIL's weights are ONNX's, input
    /// channel first) and the pads of `TransposedPadding`: odd totals from output_shape or
    /// auto_pad included, output_padding taken from the end pads and refused beyond them.
    func lowerConvTranspose(_ node: Node) throws {
        let a = NodeAttributes(exporting: node)
        guard let x = node.input(0) else { throw unsupported(node, "input 0 is missing") }
        let weightShape = try staticShape(node.inputs[1], node)
        let spatial = weightShape.count - 2
        guard spatial >= 1 && spatial <= 2 else { throw unsupported(node, "\(spatial)-d transposed convolution (MIL's weights are 1-D or 2-D)") }
        let xShape = try staticShape(x, node), yShape = try staticShape(node.outputs[0], node)
        let group = try a.int("group", default: 1)
        let padding = try TransposedPadding(node, input: Array(xShape[2...]), kernel: Array(weightShape[2...]), output: Array(yShape[2...]),
                                            target: "MIL's conv_transpose")
        let (strides, dilations, pads) = (padding.geometry.strides, padding.geometry.dilations, padding.pads)
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
