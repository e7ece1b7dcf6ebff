import FerryIR

/// How each op takes part in full-integer quantization: the data the quantizer and the
/// integer lowering look up, instead of switching on op names. It follows the TFLite int8
/// quantization specification (which ops keep their input's scale, which have fixed output
/// parameters) so that the result maps onto TFLite and TFLM without change.
public enum QuantizationTrait: Sendable, Equatable {
    /// Weighted ops: int8 per-channel weights at `weight` along the output-channel axis, int32 bias at `bias`.
    case weighted(weight: Int, bias: Int?)
    /// Elementwise arithmetic with their own output range (Add, Sub, Mul).
    case arithmetic
    /// Output has the input's scale and zero point (pooling max, layout ops).
    case keepsScale
    /// Output parameters fixed by the spec (Softmax, Logistic, Tanh): int8 and int16 versions.
    case fixedOutput(int8: QuantParams, int16: QuantParams)
    /// Own output range from calibration (activations, averaging, concatenation).
    case calibrated

    public static let table: [String: QuantizationTrait] = [
        "Conv": .weighted(weight: 1, bias: 2),
        "Gemm": .weighted(weight: 1, bias: 2),
        "MatMul": .weighted(weight: 1, bias: nil),
        "Add": .arithmetic, "Sub": .arithmetic, "Mul": .arithmetic,
        "MaxPool": .keepsScale, "GlobalMaxPool": .keepsScale, "Reshape": .keepsScale, "Flatten": .keepsScale,
        "Transpose": .keepsScale, "Squeeze": .keepsScale, "Unsqueeze": .keepsScale,
        "DepthToSpace": .keepsScale, "SpaceToDepth": .keepsScale, "Slice": .keepsScale, "Gather": .keepsScale,
        "Split": .keepsScale, "Pad": .keepsScale,
        "Softmax": .fixedOutput(int8: QuantParams(scale: 1.0 / 256, zeroPoint: -128, type: .int8),
                                int16: QuantParams(scale: 1.0 / 32768, zeroPoint: 0, type: .int16)),
        "Sigmoid": .fixedOutput(int8: QuantParams(scale: 1.0 / 256, zeroPoint: -128, type: .int8),
                                int16: QuantParams(scale: 1.0 / 32768, zeroPoint: 0, type: .int16)),
        "Tanh": .fixedOutput(int8: QuantParams(scale: 1.0 / 128, zeroPoint: 0, type: .int8),
                             int16: QuantParams(scale: 1.0 / 32768, zeroPoint: 0, type: .int16)),
        "Relu": .calibrated, "Clip": .calibrated, "LeakyRelu": .calibrated, "HardSwish": .calibrated,
        "HardSigmoid": .calibrated, "GlobalAveragePool": .calibrated, "AveragePool": .keepsScale,
        "ReduceMean": .calibrated, "Concat": .calibrated, "Resize": .calibrated,
    ]

    /// Ops TFLite has no int16 kernel for: in 16×8 mode they stay float between DEQUANTIZE and
    /// QUANTIZE, as the TF converter leaves them.
    public static let noInt16Kernel: Set<String> = ["HardSwish", "HardSigmoid", "DepthToSpace", "SpaceToDepth"]

    /// Activations a weighted or arithmetic producer can absorb (TFLite's fused_activation_function).
    public static let fusable: Set<String> = ["Relu", "Clip"]

    /// Inputs of `node` that carry activations to quantize (not weights, shapes or indices).
    public static func dataInputs(_ node: Node) -> [Int] {
        switch node.opType {
        case "Reshape", "Slice", "Squeeze", "Unsqueeze", "Pad", "Split", "Resize", "Gather", "Clip", "ReduceMean":
            return [0]
        case "Conv", "Gemm", "MatMul":
            return [0]
        case "Add", "Sub", "Mul":
            return [0, 1]
        case "Concat":
            return Array(node.inputs.indices)
        default:
            return [0]
        }
    }

    /// The output-channel axis of a weighted op's weight.
    public static func weightAxis(_ node: Node, weight: Tensor) -> Int {
        switch node.opType {
        case "Gemm":
            if case .int(let transB)? = node.attributes["transB"], transB != 0 { return 0 }
            return 1
        case "MatMul": return weight.rank - 1
        default: return 0
        }
    }
}
