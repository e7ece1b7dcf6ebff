import CoreMLFormat
import FerryIR
import FerryPasses
import FerryRuntime
import FerryVerify

/// Where a converted model goes. Each target has one writer and one way the device computes.
public enum ConversionTarget: String, Sendable, CaseIterable {
    /// ONNX for ONNX Runtime (and ONNX Runtime Mobile): `DIR/model.onnx`, QDQ form for integer modes.
    case onnx
    /// TensorFlow Lite / LiteRT: `DIR/model.tflite` (NHWC flatbuffer, schema 3).
    case tflite
    /// TensorFlow Lite Micro: `DIR/model.tflite` plus `model_data.cc/.h` (the arena size),
    /// `model_ops.h` (the op resolver) and `main.cc`.
    case tflm
    /// Core ML: `DIR/model.mlpackage` (ML Program: MIL, weight blob file), for iOS 15+ / macOS 12+.
    case coreml
    /// Tencent NCNN: `DIR/model.param` + `DIR/model.bin` (per-sample CHW blobs; fp16 or int8 weights).
    case ncnn

    /// The output file name inside the output folder (a contract for scripts).
    public var fileName: String {
        switch self {
        case .onnx: return "model.onnx"
        case .tflite, .tflm: return "model.tflite"
        case .coreml: return "model.mlpackage"
        case .ncnn: return "model.param"
        }
    }

    /// The writer of every target but ONNX, which `ONNXWriter.write` writes itself (moving
    /// weights to `model.data` past protobuf's 2 GiB) from the verified model.
    var writer: (any TargetWriter)? {
        switch self {
        case .onnx: return nil
        case .tflite: return TFLiteTarget()
        case .tflm: return TFLMTarget()
        case .coreml: return CoreMLTarget()
        case .ncnn: return NCNNTarget()
        }
    }

    /// How the target runs integer models: ONNX Runtime computes a QDQ graph per node in float
    /// between the quantize steps, which is what the reference core runs when no integer
    /// arithmetic is asked for.
    public func integerArithmetic(_ rounding: IntegerRounding) -> IntegerRounding? {
        switch self {
        case .onnx: return nil
        case .tflite, .tflm: return rounding
        case .coreml: return nil
        // NCNN's int8 layers sum int8 products exactly in int32 and dequantize in float, which is
        // what the read-back graph (clip, QDQ, float Conv) computes in float.
        case .ncnn: return nil
        }
    }

    /// Whether `--quantize int8` means weight-only int8 here: Core ML ML Programs store int8
    /// weights (constexpr_affine_dequantize) and compute in float, so there is nothing to calibrate.
    public var int8IsWeightOnly: Bool { self == .coreml }
}

/// Everything `ferry convert` was asked to do.
public struct ConversionOptions: Sendable {
    public var target: ConversionTarget = .onnx
    public var quantization: QuantizationMode = .none
    public var calibrationMethod: CalibrationMethod = .minmax
    /// 7-bit weights for x86 runtimes that sum u8·s8 pairs in int16 (see QuantizationOptions.weightBits).
    public var reduceRange = false
    /// Keep float graph inputs/outputs in integer modes (false: integer I/O).
    public var floatInputsOutputs = true
    /// The drift budget the result must meet; `.none` disables the mixed-precision search.
    public var budget: DriftBudget = .default
    /// Layers (node or output names) the user wants kept in float.
    public var keepFloat: Set<String> = []
    /// Fixed sizes for dynamic input dims.
    public var inputShapes: [String: [Int]] = [:]
    /// Requantization rounding for targets that run integer kernels.
    public var rounding: IntegerRounding = .double
    public var threads = 1
    /// Cap on calibration samples (and validation samples).
    public var maxSamples: Int?
    /// Samples the final verification measures per-layer drift on (nil: all).
    public var layerSamples: Int? = Verifier.defaultLayerSamples
    /// Pruning before quantization, and the layers it leaves alone.
    public var pruning: PruningSpec?
    public var pruneSkip: Set<String> = []
    /// Values per block of `int8-weights`/`int4-weights` (along K; a power of two ≥ 16).
    public var blockSize = 32
    /// Graph optimizations before quantization (folding, BatchNorm folding, layout chains).
    public var optimize = true
    /// Core ML precision and metadata (`--coreml-precision`, `--author`, `--license`, `--description`).
    public var coreML = CoreMLExportOptions()
    /// How the app feeds the first (or named) input: pixels 0…255 normalized by mean/std
    /// (`--input-mean`, `--input-std`): a Core ML NeuralNetwork image input, TFLite metadata.
    public var inputNormalization: InputNormalization?
    // BEGIN ort options
    /// `--target onnx`: the ai.onnx opset to write (`--onnx-opset`, `--ort-version`); nil keeps the source's.
    public var onnxOpset: Int?
    /// `--target onnx --ort`: also write `model.ort`, ONNX Runtime's ORT format.
    public var writeORT = false
    // END ort options

    public init() {}

    /// The main output file: the target's, or `model.mlmodel` for a Core ML NeuralNetwork.
    public var outputFileName: String {
        target == .coreml && coreML.format == .neuralnetwork ? NeuralNetworkExporter.fileName : target.fileName
    }
}
