import FerryIR

extension NNEmitter {
    /// 2-D ConvTranspose → `convolution` with isDeconvolution: weights [C_in, C_out/groups,
    /// kH, kW] as ONNX orders them, valid padding whose amounts are cut from the full scatter
    /// ((H_in − 1)·stride + kH − top − bottom, as NeuralNetwork.proto gives the output), no
    /// outputShape. The pads are `TransposedPadding`'s, as for ML Programs (odd totals from
    /// output_shape or auto_pad included, output_padding taken from the end pads). Refused:
    /// dilations (a deconvolution ignores dilationFactor), output_padding beyond the end pads
    /// and an output_shape beyond the full scatter.
    func lowerConvTranspose(_ node: Node) throws {
        let a = NodeAttributes(exporting: node)
        let weight = try storedInput(node, 1)
        guard weight.shape.count == 4, try rank(node.inputs[0], node) == 4 else {
            throw unsupported(node, "\(weight.shape.count - 2)-d transposed convolution (NeuralNetwork's deconvolution is 2-d over NCHW)")
        }
        let xShape = try staticShape(node.inputs[0], node), yShape = try staticShape(node.outputs[0], node)
        let group = try a.int("group", default: 1)
        guard group > 0, weight.shape[0] % group == 0, xShape[1] == weight.shape[0] else {
            throw unsupported(node, "weight \(weight.shape) does not fit \(xShape[1]) input channels in \(group) groups")
        }
        let padding = try TransposedPadding(node, input: Array(xShape[2...]), kernel: Array(weight.shape[2...]), output: Array(yShape[2...]),
                                            target: "NeuralNetwork's deconvolution")
        let geometry = padding.geometry
        guard geometry.dilations == [1, 1] else { throw unsupported(node, "dilations \(geometry.dilations) (NeuralNetwork's deconvolution ignores dilationFactor)") }
        // [top, left, bottom, right] as `ValidPadding` holds them.
        let pads = padding.pads
        // Float16 weights stay float16; the input-channel-first layout takes no per-channel quantization.
        var stored: NNWeights?
        if case .float16 = weight.weights { stored = weight.weights }
        let outputChannels = weight.shape[1] * group
        emit(node, .convolution(NNConvolution(
            outputChannels: outputChannels, kernelChannels: weight.shape[0], groups: group, kernel: geometry.kernel, stride: geometry.strides,
            dilation: [1, 1], pads: pads, isDeconvolution: true, outputShape: [],
            weights: weights(weight.floats(), channels: outputChannels, stored: stored, sameLayout: true), bias: try vector(node, 2))),
             [try input(node, 0)])
    }
}
