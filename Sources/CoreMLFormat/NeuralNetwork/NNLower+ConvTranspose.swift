import FerryIR
import FerryRuntime

extension NNEmitter {
    /// 2-D ConvTranspose → `convolution` with isDeconvolution: weights [C_in, C_out/groups,
    /// kH, kW] as ONNX orders them, valid padding whose amounts are cut from the full scatter
    /// ((H_in − 1)·stride + kH − top − bottom, as NeuralNetwork.proto gives the output), no
    /// outputShape. Pads from output_shape or auto_pad are worked out by the reference core's
    /// geometry, odd ones included; output_padding is taken from the end pads as for ML
    /// Programs. Refused: dilations (a deconvolution ignores dilationFactor), output_padding
    /// beyond the end pads and an output_shape beyond the full scatter.
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
        let outputPadding = try a.ints("output_padding") ?? [0, 0]
        guard outputPadding.count == 2 else { throw unsupported(node, "output_padding \(outputPadding) is not 2-D") }
        let window = try lowering(node) { try WindowAttributes(a) }
        let geometry = try lowering(node) {
            try window.resolveTransposed(input: Array(xShape[2...]), kernel: Array(weight.shape[2...]), outputPadding: outputPadding,
                                         outputShape: try a.ints("output_shape"))
        }
        guard geometry.output == Array(yShape[2...]) else {
            throw CoreMLExportError.preparation("\(node.label) gives \(geometry.output) where shape inference gave \(yShape)")
        }
        guard geometry.dilations == [1, 1] else { throw unsupported(node, "dilations \(geometry.dilations) (NeuralNetwork's deconvolution ignores dilationFactor)") }
        var pads = geometry.padBegin + geometry.padEnd
        guard pads.allSatisfy({ $0 >= 0 }) else { throw unsupported(node, "an output_shape beyond the full transposed convolution (pads \(pads))") }
        for i in 0..<2 {
            guard pads[i + 2] >= outputPadding[i] else {
                throw unsupported(node, "output_padding \(outputPadding) beyond the end pads (NeuralNetwork's deconvolution has no output padding)")
            }
            pads[i + 2] -= outputPadding[i]
        }
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
