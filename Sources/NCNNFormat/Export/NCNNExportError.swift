import FerryIR

/// Why a model could not be exported to NCNN; each case names the node or value at fault.
public enum NCNNExportError: Error, Sendable, CustomStringConvertible {
    /// The op has no NCNN form (or not with these attributes or shapes).
    case unsupportedOp(node: String, op: String, reason: String)
    /// NCNN export needs every shape static; this value's is not.
    case dynamicShape(value: String)
    /// NCNN blobs hold at most 4 dimensions once the batch axis is dropped.
    case tooManyDimensions(value: String, shape: [Int])
    /// An input the NCNN form needs to be constant is computed at run time.
    case notConstant(node: String, op: String, input: String)
    /// The model could not be prepared (constant folding, shape inference).
    case preparation(String)
    /// The quantized graph has a form NCNN cannot express.
    case quantization(String)

    public var description: String {
        switch self {
        case .unsupportedOp(let node, let op, let reason):
            return "node \(node): \(op) has no NCNN form: \(reason)"
        case .dynamicShape(let value):
            return "value '\(value)' has no static shape; NCNN export needs static shapes (fix the input dimensions with --input-shape)"
        case .tooManyDimensions(let value, let shape):
            return "value '\(value)' has shape \(shape); NCNN blobs hold at most 4 dimensions besides the batch"
        case .notConstant(let node, let op, let input):
            return "node \(node): \(op) needs input '\(input)' to be a constant for NCNN"
        case .preparation(let message):
            return "could not prepare the model for NCNN export: \(message)"
        case .quantization(let message):
            return "NCNN int8 export: \(message)"
        }
    }
}

/// How weights are stored in the `.bin`.
public enum NCNNWeightMode: String, Sendable {
    /// float32 everywhere.
    case float32
    /// float16 for every weight array whose values float16 holds exactly (the fp16 quantizer's
    /// weights); biases and scales stay float32, as NCNN reads them raw.
    case float16
    /// The int8 QDQ graph: Convolution, ConvolutionDepthWise and InnerProduct with int8 weights
    /// and per-channel `weight_data_int8_scales`, the input scale from the QDQ pair before them;
    /// everything else in float32 (NCNN runs other layers in float).
    case int8
}

/// Options of the NCNN export.
public struct NCNNExportOptions: Sendable {
    public var weights: NCNNWeightMode

    public init(weights: NCNNWeightMode = .float32) { self.weights = weights }
}

/// One graph input or output as NCNN sees it.
public struct NCNNBlobBinding: Sendable, Equatable {
    /// The ONNX value name.
    public var value: String
    /// The blob name to pass to `Extractor.input`/`extract`.
    public var blob: String
    /// The blob's shape, outermost first (c, d, h, w), batch axis dropped.
    public var shape: [Int]
    /// The value's ONNX shape (the blob's with the batch axis, when the layout dropped one).
    public var onnxShape: [Int]
    /// The source element type. Integer inputs (token ids read by Embed) are fed as int32 bit
    /// patterns in the float Mat: `ncnn.Mat(ids.astype(np.int32).view(np.float32))`.
    public var dataType: DataType
}

/// What the exporter wrote.
public struct NCNNExport: Sendable {
    public var param: NCNNParamFile
    public var paramBytes: [UInt8]
    public var binBytes: [UInt8]
    public var inputs: [NCNNBlobBinding]
    public var outputs: [NCNNBlobBinding]
    /// Layers written with int8 weights.
    public var int8Layers: [String]
    /// Layers the int8 graph quantized that NCNN runs in float32, with the reason.
    public var floatLayers: [String]
    /// The short layer and blob names `param` is written with, and the source names behind them.
    public var names: NCNNNameMap
}
