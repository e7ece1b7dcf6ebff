import FerryIR

/// An image input checked against the graph input it declares: colour space from the channel
/// count, mean and std one value per channel.
struct ResolvedImageInput {
    var colorSpace: ImageColorSpace
    var channels: Int
    /// Per channel, in the model's channel order.
    var mean: [Float]
    var std: [Float]

    /// What the model sees of a pixel: `scale[c] · pixel + bias[c]` = `(pixel − mean[c]) / std[c]`.
    var scale: [Float] { std.map { 1 / $0 } }
    var bias: [Float] { zip(mean, std).map { -$0 / $1 } }
}

extension ImageInput {
    /// Checks that graph input `input` of `type` and `dims` can be an image: float
    /// [1, C, H, W] with C 1 (grayscale) or 3, H and W fixed unless `flexibleSize`.
    func resolve(input: String, dims: [Int?], type: DataType, flexibleSize: Bool) throws -> ResolvedImageInput {
        guard type.isFloatingPoint, dims.count == 4, dims[0] == 1, let c = dims[1], c == 1 || c == 3,
              flexibleSize || (dims[2] != nil && dims[3] != nil) else {
            throw CoreMLExportError.preparation("image input '\(input)' must be a float [1, C, H, W] input with C 1 or 3\(flexibleSize ? "" : " and fixed H, W"); it is \(type) \(dims.map { $0.map(String.init) ?? "?" })")
        }
        func perChannel(_ values: [Float], _ flag: String) throws -> [Float] {
            if values.count == 1 { return [Float](repeating: values[0], count: c) }
            guard values.count == c else { throw CoreMLExportError.preparation("image input '\(input)': \(values.count) \(flag) values for \(c) channels") }
            return values
        }
        let mean = try perChannel(self.mean, "mean"), std = try perChannel(self.std, "std")
        guard std.allSatisfy({ $0 > 0 && $0.isFinite }), mean.allSatisfy(\.isFinite) else {
            throw CoreMLExportError.preparation("image input '\(input)': the stds must be positive (got \(std))")
        }
        let colorSpace = c == 1 ? ImageColorSpace.grayscale : (self.colorSpace == .grayscale ? .rgb : self.colorSpace)
        return ResolvedImageInput(colorSpace: colorSpace, channels: c, mean: mean, std: std)
    }
}
