import FerryIR

/// Why a model could not be exported to TFLite; each case names the node or value at fault.
public enum TFLiteExportError: Error, Sendable, CustomStringConvertible {
    /// The op has no TFLite form (or not with these attributes).
    case unsupportedOp(node: String, op: String, reason: String)
    /// TFLite export needs every shape static; this value's is not.
    case dynamicShape(value: String)
    /// The element type has no TFLite equivalent.
    case unsupportedType(value: String, type: DataType)
    /// An input the TFLite form needs to be constant is computed at run time.
    case notConstant(node: String, op: String, input: String)
    /// The model could not be prepared (constant folding, shape inference).
    case preparation(String)

    public var description: String {
        switch self {
        case .unsupportedOp(let node, let op, let reason):
            return "node \(node): \(op) has no TFLite form: \(reason)"
        case .dynamicShape(let value):
            return "value '\(value)' has no static shape; TFLite export needs static shapes (fix the input dimensions first)"
        case .unsupportedType(let value, let type):
            return "value '\(value)' is \(type), which TFLite has no tensor type for"
        case .notConstant(let node, let op, let input):
            return "node \(node): \(op) needs input '\(input)' to be a constant for TFLite"
        case .preparation(let message):
            return "could not prepare the model for TFLite export: \(message)"
        }
    }
}

/// Options of the TFLite export.
public struct TFLiteExportOptions: Sendable {
    /// Layout of the model's public image inputs and outputs.
    public enum Layout: Sendable {
        /// As in the source model (NCHW for most ONNX vision models).
        case source
        /// Rank-4 inputs take NHWC data (channels last), as TFLite apps usually feed.
        case channelsLast
    }

    public var inputLayout: Layout
    /// Key of the SignatureDef that names the inputs and outputs.
    public var signatureKey: String
    /// The model description field.
    public var description: String
    /// Store every float32 constant that float16 holds exactly as float16 behind a DEQUANTIZE
    /// (TFLite's float16 quantization; the values are the ones the source already rounded).
    public var float16Weights = false

    public init(inputLayout: Layout = .source, signatureKey: String = "serving_default", description: String = "Ferry") {
        self.inputLayout = inputLayout
        self.signatureKey = signatureKey
        self.description = description
    }
}
