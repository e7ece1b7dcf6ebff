/// A TensorFlow Lite model (schema version 3) as plain values: what the writer serializes and
/// the reader returns. Field names follow schema.fbs.
public struct TFLiteModel: Equatable, Sendable {
    public var version: UInt32 = 3
    public var operatorCodes: [TFLiteOperatorCode] = []
    public var subgraphs: [TFLiteSubgraph] = []
    public var description: String = ""
    /// Buffer 0 must be empty: tensors without data refer to it.
    public var buffers: [TFLiteBuffer] = [TFLiteBuffer()]
    public var metadata: [TFLiteMetadata] = []
    public var signatureDefs: [TFLiteSignatureDef] = []

    public init() {}
}

/// `tflite.OperatorCode`: a builtin op (or custom op name) and its version.
public struct TFLiteOperatorCode: Hashable, Sendable {
    public var builtin: TFLiteBuiltinOperator
    public var customCode: String?
    public var version: Int32

    public init(builtin: TFLiteBuiltinOperator, customCode: String? = nil, version: Int32 = 1) {
        self.builtin = builtin
        self.customCode = customCode
        self.version = version
    }
}

/// `tflite.SubGraph`.
public struct TFLiteSubgraph: Equatable, Sendable {
    public var tensors: [TFLiteTensor] = []
    public var inputs: [Int32] = []
    public var outputs: [Int32] = []
    public var operators: [TFLiteOperator] = []
    public var name: String = ""

    public init() {}
}

/// `tflite.Tensor`.
public struct TFLiteTensor: Equatable, Sendable {
    public var shape: [Int32]
    /// The shape with -1 for dimensions that are only known at run time; nil when all are static.
    public var shapeSignature: [Int32]?
    public var type: TFLiteTensorType
    /// Index into `TFLiteModel.buffers`; 0 for tensors without constant data.
    public var buffer: UInt32
    public var name: String
    public var quantization: TFLiteQuantization?
    public var isVariable: Bool
    /// True for every tensor whose rank is known (scalars included).
    public var hasRank: Bool

    public init(shape: [Int32], shapeSignature: [Int32]? = nil, type: TFLiteTensorType, buffer: UInt32 = 0,
                name: String, quantization: TFLiteQuantization? = nil, isVariable: Bool = false, hasRank: Bool = true) {
        self.shape = shape
        self.shapeSignature = shapeSignature
        self.type = type
        self.buffer = buffer
        self.name = name
        self.quantization = quantization
        self.isVariable = isVariable
        self.hasRank = hasRank
    }
}

/// `tflite.QuantizationParameters`: real = scale × (q − zero_point), per tensor (one scale) or
/// per channel along `quantizedDimension` (one scale and zero point per channel).
public struct TFLiteQuantization: Hashable, Sendable {
    public var min: [Float]
    public var max: [Float]
    public var scale: [Float]
    public var zeroPoint: [Int64]
    public var quantizedDimension: Int32

    public init(min: [Float] = [], max: [Float] = [], scale: [Float] = [], zeroPoint: [Int64] = [],
                quantizedDimension: Int32 = 0) {
        self.min = min
        self.max = max
        self.scale = scale
        self.zeroPoint = zeroPoint
        self.quantizedDimension = quantizedDimension
    }

    /// One scale and zero point for the whole tensor.
    public static func perTensor(scale: Float, zeroPoint: Int64) -> TFLiteQuantization {
        TFLiteQuantization(scale: [scale], zeroPoint: [zeroPoint])
    }

    /// One scale and zero point per slice along `dimension`.
    public static func perChannel(scales: [Float], zeroPoints: [Int64], dimension: Int32) -> TFLiteQuantization {
        TFLiteQuantization(scale: scales, zeroPoint: zeroPoints, quantizedDimension: dimension)
    }
}

/// `tflite.Buffer`: raw little-endian bytes of a constant tensor or a metadata entry.
public struct TFLiteBuffer: Equatable, Sendable {
    public var data: [UInt8]
    public init(data: [UInt8] = []) { self.data = data }
}

/// `tflite.Operator`.
public struct TFLiteOperator: Equatable, Sendable {
    public var opcodeIndex: UInt32
    /// Tensor indices; -1 marks an absent optional input.
    public var inputs: [Int32]
    public var outputs: [Int32]
    public var options: TFLiteOptions
    public var intermediates: [Int32]

    public init(opcodeIndex: UInt32, inputs: [Int32], outputs: [Int32], options: TFLiteOptions = .none,
                intermediates: [Int32] = []) {
        self.opcodeIndex = opcodeIndex
        self.inputs = inputs
        self.outputs = outputs
        self.options = options
        self.intermediates = intermediates
    }
}

/// `tflite.Metadata`: a named buffer (for example "min_runtime_version").
public struct TFLiteMetadata: Equatable, Sendable {
    public var name: String
    public var buffer: UInt32
    public init(name: String, buffer: UInt32) {
        self.name = name
        self.buffer = buffer
    }
}

/// `tflite.SignatureDef`: named entry points into a subgraph.
public struct TFLiteSignatureDef: Equatable, Sendable {
    public struct TensorMap: Equatable, Sendable {
        public var name: String
        public var tensorIndex: UInt32
        public init(name: String, tensorIndex: UInt32) {
            self.name = name
            self.tensorIndex = tensorIndex
        }
    }

    public var inputs: [TensorMap]
    public var outputs: [TensorMap]
    public var signatureKey: String
    public var subgraphIndex: UInt32

    public init(inputs: [TensorMap], outputs: [TensorMap], signatureKey: String, subgraphIndex: UInt32 = 0) {
        self.inputs = inputs
        self.outputs = outputs
        self.signatureKey = signatureKey
        self.subgraphIndex = subgraphIndex
    }
}
