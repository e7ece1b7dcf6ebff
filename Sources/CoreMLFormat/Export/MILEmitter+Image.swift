import FerryIR

extension MILEmitter {
    /// An ML Program image input as coremltools writes `ct.ImageType`: the function input stays a
    /// float32 [1, C, H, W] tensor of pixel values (0…255), followed in float32 by `mul` by the
    /// scale and `add` of the bias (each left out when it does nothing), before any cast to
    /// float16. The scale is a scalar when the stds are equal (coremltools' only form) and a
    /// [1, C, 1, 1] tensor otherwise; the bias is [1, C, 1, 1] (a scalar for grayscale), in the
    /// model's channel order. Returns the normalized value.
    func normalizeImage(_ input: String, _ image: ResolvedImageInput, dims: [Int?]) -> String {
        let type = MILTensorType(.float32, dims)
        let channelShape = [1, image.channels, 1, 1]
        func constant(_ values: [Float], name: String, scalar: Bool) -> String {
            constValue(.tensor(scalar ? Tensor(scalar: values[0]) : Tensor(shape: channelShape, values: values)), name: name)
        }
        var value = input
        if image.scale.contains(where: { $0 != 1 }) {
            value = op("mul", [("x", value), ("y", constant(image.scale, name: input + "_scale", scalar: Set(image.scale).count == 1))], output: input + "__scaled__", type)
        }
        if image.bias.contains(where: { $0 != 0 }) {
            value = op("add", [("x", value), ("y", constant(image.bias, name: input + "_bias", scalar: image.channels == 1))], output: input + "__biased__", type)
        }
        return value
    }
}
