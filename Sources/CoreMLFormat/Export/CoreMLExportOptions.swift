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

    public var precision: Precision = .float16
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
