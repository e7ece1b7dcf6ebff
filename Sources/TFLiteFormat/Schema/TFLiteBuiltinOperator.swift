/// `tflite.BuiltinOperator`: a builtin op code. Codes above 127 live only in the wide
/// `builtin_code` field; `deprecated_builtin_code` then holds 127 (the placeholder).
public struct TFLiteBuiltinOperator: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: Int32
    public init(rawValue: Int32) { self.rawValue = rawValue }

    /// The code that older readers see in `deprecated_builtin_code`.
    public static let placeholderForGreaterOpCodes = TFLiteBuiltinOperator(rawValue: 127)

    public static let add = Self(rawValue: 0)
    public static let averagePool2D = Self(rawValue: 1)
    public static let concatenation = Self(rawValue: 2)
    public static let conv2D = Self(rawValue: 3)
    public static let depthwiseConv2D = Self(rawValue: 4)
    public static let depthToSpace = Self(rawValue: 5)
    public static let dequantize = Self(rawValue: 6)
    public static let floor = Self(rawValue: 8)
    public static let fullyConnected = Self(rawValue: 9)
    public static let l2Normalization = Self(rawValue: 11)
    public static let logistic = Self(rawValue: 14)
    public static let maxPool2D = Self(rawValue: 17)
    public static let mul = Self(rawValue: 18)
    public static let relu = Self(rawValue: 19)
    public static let reluN1To1 = Self(rawValue: 20)
    public static let relu6 = Self(rawValue: 21)
    public static let reshape = Self(rawValue: 22)
    public static let resizeBilinear = Self(rawValue: 23)
    public static let softmax = Self(rawValue: 25)
    public static let spaceToDepth = Self(rawValue: 26)
    public static let tanh = Self(rawValue: 28)
    public static let custom = Self(rawValue: 32)
    public static let pad = Self(rawValue: 34)
    public static let gather = Self(rawValue: 36)
    public static let transpose = Self(rawValue: 39)
    public static let mean = Self(rawValue: 40)
    public static let sub = Self(rawValue: 41)
    public static let div = Self(rawValue: 42)
    public static let squeeze = Self(rawValue: 43)
    public static let unidirectionalSequenceLSTM = Self(rawValue: 44)
    public static let stridedSlice = Self(rawValue: 45)
    public static let exp = Self(rawValue: 47)
    public static let split = Self(rawValue: 49)
    public static let logSoftmax = Self(rawValue: 50)
    public static let cast = Self(rawValue: 53)
    public static let prelu = Self(rawValue: 54)
    public static let maximum = Self(rawValue: 55)
    public static let argMax = Self(rawValue: 56)
    public static let minimum = Self(rawValue: 57)
    public static let neg = Self(rawValue: 59)
    public static let padV2 = Self(rawValue: 60)
    public static let slice = Self(rawValue: 65)
    public static let sin = Self(rawValue: 66)
    public static let transposeConv = Self(rawValue: 67)
    public static let expandDims = Self(rawValue: 70)
    public static let log = Self(rawValue: 73)
    public static let sum = Self(rawValue: 74)
    public static let sqrt = Self(rawValue: 75)
    public static let rsqrt = Self(rawValue: 76)
    public static let pow = Self(rawValue: 78)
    public static let argMin = Self(rawValue: 79)
    public static let reduceProd = Self(rawValue: 81)
    public static let reduceMax = Self(rawValue: 82)
    public static let reduceMin = Self(rawValue: 89)
    public static let square = Self(rawValue: 92)
    public static let resizeNearestNeighbor = Self(rawValue: 97)
    public static let leakyRelu = Self(rawValue: 98)
    public static let mirrorPad = Self(rawValue: 100)
    public static let abs = Self(rawValue: 101)
    public static let splitV = Self(rawValue: 102)
    public static let ceil = Self(rawValue: 104)
    public static let cos = Self(rawValue: 108)
    public static let elu = Self(rawValue: 111)
    public static let quantize = Self(rawValue: 114)
    public static let hardSwish = Self(rawValue: 117)
    public static let batchMatMul = Self(rawValue: 126)
    public static let gelu = Self(rawValue: 150)

    /// Names of the codes above, for messages and `ferry inspect`.
    static let names: [Int32: String] = [
        0: "ADD", 1: "AVERAGE_POOL_2D", 2: "CONCATENATION", 3: "CONV_2D", 4: "DEPTHWISE_CONV_2D",
        5: "DEPTH_TO_SPACE", 6: "DEQUANTIZE", 8: "FLOOR", 9: "FULLY_CONNECTED", 11: "L2_NORMALIZATION",
        14: "LOGISTIC", 17: "MAX_POOL_2D", 18: "MUL", 19: "RELU", 20: "RELU_N1_TO_1", 21: "RELU6",
        22: "RESHAPE", 23: "RESIZE_BILINEAR", 25: "SOFTMAX", 26: "SPACE_TO_DEPTH", 28: "TANH", 32: "CUSTOM",
        34: "PAD", 36: "GATHER", 39: "TRANSPOSE", 40: "MEAN", 41: "SUB", 42: "DIV", 43: "SQUEEZE",
        44: "UNIDIRECTIONAL_SEQUENCE_LSTM", 45: "STRIDED_SLICE", 47: "EXP", 49: "SPLIT", 50: "LOG_SOFTMAX",
        53: "CAST", 54: "PRELU", 55: "MAXIMUM", 56: "ARG_MAX", 57: "MINIMUM", 59: "NEG", 60: "PADV2",
        65: "SLICE", 66: "SIN", 67: "TRANSPOSE_CONV", 70: "EXPAND_DIMS", 73: "LOG", 74: "SUM", 75: "SQRT",
        76: "RSQRT", 78: "POW", 79: "ARG_MIN", 81: "REDUCE_PROD", 82: "REDUCE_MAX", 89: "REDUCE_MIN",
        92: "SQUARE", 97: "RESIZE_NEAREST_NEIGHBOR", 98: "LEAKY_RELU", 100: "MIRROR_PAD", 101: "ABS", 102: "SPLIT_V",
        104: "CEIL", 108: "COS", 111: "ELU", 114: "QUANTIZE", 117: "HARD_SWISH", 126: "BATCH_MATMUL",
        127: "PLACEHOLDER_FOR_GREATER_OP_CODES", 150: "GELU",
    ]

    public var description: String { Self.names[rawValue] ?? "BUILTIN_\(rawValue)" }
}
