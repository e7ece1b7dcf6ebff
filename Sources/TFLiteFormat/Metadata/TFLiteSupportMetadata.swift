/// The TFLite model metadata the LiteRT support library reads (tflite-support's
/// `metadata_schema.fbs`, root `ModelMetadata`, file identifier "M001"): the fields Ferry writes.
public struct TFLiteSupportMetadata: Equatable, Sendable {
    /// `AssociatedFileType`.
    public enum FileType: Int8, Sendable {
        case unknown = 0, descriptions = 1, tensorAxisLabels = 2, tensorValueLabels = 3
    }

    /// `AssociatedFile`: a file packed in the zip appended to the model.
    public struct AssociatedFile: Equatable, Sendable {
        public var name: String
        public var description: String
        public var type: FileType

        public init(name: String, description: String, type: FileType) {
            self.name = name
            self.description = description
            self.type = type
        }
    }

    /// `ContentProperties`: what a tensor holds.
    public enum Content: Equatable, Sendable {
        case feature
        /// `ImageProperties` (color space RGB or GRAYSCALE, default size width × height).
        case image(grayscale: Bool, width: Int, height: Int)
    }

    /// `TensorMetadata`.
    public struct Tensor: Equatable, Sendable {
        public var name: String
        public var description = ""
        public var content: Content = .feature
        /// `NormalizationOptions` (one value per channel, or one for all), nil when absent.
        public var normalization: (mean: [Float], std: [Float])?
        /// `Stats` min / max (empty when unknown).
        public var min: [Float] = []
        public var max: [Float] = []
        public var associatedFiles: [AssociatedFile] = []

        public init(name: String) {
            self.name = name
        }

        public static func == (a: Tensor, b: Tensor) -> Bool {
            a.name == b.name && a.description == b.description && a.content == b.content && a.normalization?.mean == b.normalization?.mean
                && a.normalization?.std == b.normalization?.std && a.min == b.min && a.max == b.max && a.associatedFiles == b.associatedFiles
        }
    }

    public var name = ""
    public var description = ""
    public var version = ""
    public var author = ""
    public var license = ""
    /// The one subgraph's name and tensors, in the subgraph's input and output order.
    public var subgraphName = ""
    public var inputs: [Tensor] = []
    public var outputs: [Tensor] = []
    /// The oldest metadata parser that reads every field written (tflite-support's
    /// `GetMinimumMetadataParserVersion`: only 1.0.0 fields are used here).
    public var minParserVersion = "1.0.0"

    public init() {}

    /// Metadata buffer name in the model's `metadata` list (tflite-support's `METADATA_FIELD_NAME`).
    public static let fieldName = "TFLITE_METADATA"
    public static let fileIdentifier = "M001"
}
