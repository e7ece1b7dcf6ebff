import FerryIR

extension NCNNGraphBuilder {
    /// Deconvolution / DeconvolutionDepthWise → ConvTranspose (weights back in ONNX's input
    /// channel first order) → activation. Explicit pads and output padding only: the automatic
    /// forms (output_w/h with pads −233/−234) are not written by Ferry.
    func importDeconvolution(_ layer: NCNNLayer) throws {
        let m = layer.int(0, 0), kw = layer.int(1, 0), kh = layer.int(11, kw)
        let dw = layer.int(2, 1), dh = layer.int(12, dw), sw = layer.int(3, 1), sh = layer.int(13, sw)
        let pl = layer.int(4, 0), pr = layer.int(15, pl), pt = layer.int(14, pl), pb = layer.int(16, pt)
        let opr = layer.int(18, 0), opb = layer.int(19, opr)
        let biasTerm = layer.int(5, 0) != 0, size = layer.int(6, 0)
        let group = layer.type == "DeconvolutionDepthWise" ? layer.int(7, 1) : 1
        guard m > 0, kw > 0, kh > 0, group > 0, size > 0, size % (m * kw * kh) == 0, m % group == 0 else {
            throw unsupported(layer, "inconsistent num_output/kernel/weight_data_size/group")
        }
        guard [pl, pr, pt, pb, opr, opb].allSatisfy({ $0 >= 0 }), layer.int(20, 0) == 0, layer.int(28, 0) == 0 else {
            throw unsupported(layer, "automatic padding (output_w/output_h) or dynamic weights")
        }
        guard rank(layer.inputs[0]) == 3 else { throw unsupported(layer, "input of rank \(rank(layer.inputs[0])); deconvolution reads c, h, w") }
        let inChannels = size / (m / group * kw * kh)
        let weight = try weights.tagged(size, layer: layer.name)
        guard weight.int8 == nil else { throw unsupported(layer, "int8 weights") }
        let shape = [inChannels, m / group, kh, kw]
        let values = NCNNEmitter.deconvolutionWeights(weight.floats, shape: shape, group: group, inverse: true)
        var inputs = [layer.inputs[0], constant(layer, "weight", Tensor(shape: shape, values: values))]
        if biasTerm { inputs.append(constant(layer, "bias", Tensor(shape: [m], values: try weights.raw(m, layer: layer.name)))) }
        let y = apply(layer, "ConvTranspose", inputs, [
            "kernel_shape": .ints([kh, kw]), "strides": .ints([sh, sw]), "dilations": .ints([dh, dw]),
            "pads": .ints([pt, pl, pb, pr]), "output_padding": .ints([opb, opr]), "group": .int(group),
        ])
        try activation(layer, y, output: layer.outputs[0])
        ranks[layer.outputs[0]] = 3
    }
}
