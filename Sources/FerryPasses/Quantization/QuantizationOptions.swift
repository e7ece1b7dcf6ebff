import FerryIR

/// What `--quantize` asks for.
public enum QuantizationMode: String, Sendable, CaseIterable {
    /// Float32 everywhere.
    case none
    /// Float16 weights, float32 compute (TFLite "float16 quantization").
    case fp16
    /// Int8 weights per channel, float activations (TFLite dynamic-range quantization).
    case dynamic
    /// Int8 weights per channel and int8 activations per tensor from calibration data.
    case int8
    /// Int16 activations with int8 weights (TFLite's 16×8 mode).
    case int16x8
    /// Int8 MatMul/Gemm weights in blocks along K (`--block-size`), activations float.
    case int8Weights = "int8-weights"
    /// Int4 MatMul/Gemm weights in blocks along K (`--block-size`), activations float.
    case int4Weights = "int4-weights"

    public var needsCalibration: Bool { self == .int8 || self == .int16x8 }

    /// The bits of the block weight-only modes (nil for the others).
    public var blockWeightBits: Int? {
        switch self {
        case .int8Weights: return 8
        case .int4Weights: return 4
        default: return nil
        }
    }
}

/// How an activation's range is chosen from the calibration data.
public enum CalibrationMethod: String, Sendable, CaseIterable {
    /// The observed minimum and maximum.
    case minmax
    /// The range holding all but the outer 0.01% of values on each side.
    case percentile
    /// The symmetric threshold minimizing the KL divergence between the value histogram and
    /// its quantized form (TensorRT's entropy calibration).
    case entropy
    /// The range minimizing the expected squared quantization error (rounding plus clipping).
    case mse
}

/// Options for full-integer quantization.
public struct QuantizationOptions: Sendable {
    public var mode: QuantizationMode
    public var calibration: CalibrationMethod
    /// Keep float32 graph inputs and outputs (quantize/dequantize inside the model); false makes
    /// them int8 (or int16 in 16×8 mode).
    public var floatInputsOutputs: Bool
    /// Nodes (by name or output name) that stay float.
    public var keepFloat: Set<String>
    /// Percentile used by `.percentile` (fraction kept on each side).
    public var percentile: Double
    /// Weight bits: 8, or 7 ("reduce range") so that x86 int8 GEMMs without VNNI, which sum
    /// pairs of u8·s8 products in int16 (ONNX Runtime's MLAS on AVX2), never saturate.
    public var weightBits: Int = 8
    /// Leave erf-based GELUs in float as one unit (TFLite runs them as one GELU op and has no
    /// ERF); false quantizes their Add and Mul like any others (ONNX Runtime runs them node by node).
    public var floatErfGelu = false
    /// Quantize a Gather that reads a float constant table (an embedding): the table becomes
    /// int8 per tensor and the output keeps its scale, as onnxruntime's quantize_static writes it.
    /// For ONNX Runtime, which folds the table's DequantizeLinear at load; off elsewhere.
    public var quantizeGatherTables = false
    /// Float activations calibration did not measure because the quantizer fuses them away
    /// (`QDQQuantizer.fusedActivationInputs`): they count as float values, and since they have
    /// no statistics they are never given quantization parameters.
    public var uncalibrated: Set<String> = []

    public init(mode: QuantizationMode, calibration: CalibrationMethod = .minmax, floatInputsOutputs: Bool = true,
                keepFloat: Set<String> = [], percentile: Double = 0.9999) {
        self.mode = mode
        self.calibration = calibration
        self.floatInputsOutputs = floatInputsOutputs
        self.keepFloat = keepFloat
        self.percentile = percentile
    }

    /// The integer type of activations in this mode.
    public var activationType: DataType { mode == .int16x8 ? .int16 : .int8 }
}
