/// Options of the Core ML export.
public struct CoreMLExportOptions: Sendable {
    /// The precision the device computes in.
    public enum Precision: String, Sendable, CaseIterable {
        /// Float16 weights and activations: float32 inputs are cast to float16 first and outputs
        /// back to float32 last, as coremltools does by default for ML Programs.
        case float16
        /// Float32 throughout.
        case float32
    }

    /// The model format: an ML Program package (iOS 15+) or a NeuralNetwork `.mlmodel` (iOS 13+).
    public enum Format: String, Sendable, CaseIterable {
        case mlprogram
        case neuralnetwork
    }

    public var format: Format = .mlprogram
    public var precision: Precision = .float16
    /// An input the app feeds as an image, with its normalization.
    public var imageInput: ImageInput?
    /// Palettized or sparse storage of large float weights (iOS 16).
    public var compression = WeightCompression()
    /// Class labels (`--labels`): the first output holds the class probabilities, and the model
    /// becomes a classifier (a `classify` op, predicted label and probability dictionary).
    public var classLabels: [String]?
    /// Metadata shown by Xcode (`Metadata` author, license, short description, version).
    public var author = ""
    public var license = ""
    public var shortDescription = ""
    public var version = ""

    public init(precision: Precision = .float16) {
        self.precision = precision
    }
}

/// An image input: the app passes pixels (0…255) and the model's input is
/// `(pixel − mean[c]) / std[c]`. In a NeuralNetwork this is the input's `NeuralNetworkImageScaler`
/// (one scale for all channels, so the stds must be equal) on an `ImageFeatureType` input; in an
/// ML Program, `mul` and `add` ops on the float32 input tensor, as coremltools writes
/// `ct.ImageType` (a per-channel scale where the stds differ).
public struct ImageInput: Sendable, Equatable {
    /// The graph input (nil: the first one).
    public var name: String?
    public var colorSpace: ImageColorSpace
    /// One value per channel, or one for all.
    public var mean: [Float]
    public var std: [Float]

    public init(name: String?, colorSpace: ImageColorSpace, mean: [Float], std: [Float]) {
        self.name = name
        self.colorSpace = colorSpace
        self.mean = mean
        self.std = std
    }
}
