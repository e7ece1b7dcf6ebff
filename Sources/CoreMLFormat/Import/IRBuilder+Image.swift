import FerryIR

extension IRBuilder {
    /// The pixel values (0…255) behind the source's normalized image input `source`:
    /// `source · std[c] + mean[c]`, with `image`'s mean and std. Returns the IR value.
    func pixels(from source: String, _ image: ImageInput, dims: [Int?]) throws -> String {
        let resolved = try image.resolve(input: source, dims: dims, type: .float32, flexibleSize: true)
        let shape = [1, resolved.channels, 1, 1]
        let std = initializer(Tensor(shape: shape, values: resolved.std), source + "/std")
        let mean = initializer(Tensor(shape: shape, values: resolved.mean), source + "/mean")
        node("Mul", [source, std], [source + "/pixels_scaled"])
        node("Add", [source + "/pixels_scaled", mean], [source + "/pixels"])
        return source + "/pixels"
    }
}
