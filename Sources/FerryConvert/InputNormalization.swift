import CoreMLFormat

/// The normalization the source model expects of an input the app fills with pixel values
/// (0…255): the model's input is `(pixel − mean[c]) / std[c]`, one value per channel or one for
/// all. One declaration for every target: a Core ML NeuralNetwork image input with its scaler,
/// TFLite's `NormalizationOptions` metadata.
public struct InputNormalization: Sendable, Equatable {
    /// The graph input (nil: the first one).
    public var input: String?
    public var mean: [Float]
    public var std: [Float]
    /// The pixel order of 3-channel images.
    public var colorSpace: ImageColorSpace

    public init(input: String?, mean: [Float], std: [Float], colorSpace: ImageColorSpace = .rgb) {
        self.input = input
        self.mean = mean
        self.std = std
        self.colorSpace = colorSpace
    }

    /// The Core ML image input it declares.
    var imageInput: ImageInput { ImageInput(name: input, colorSpace: colorSpace, mean: mean, std: std) }
}
