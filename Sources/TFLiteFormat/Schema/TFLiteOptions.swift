/// `tflite.BuiltinOptions`: the typed options of one operator, one case per options table.
///
/// Tables without fields (`TransposeOptions`, `PadOptions`, …) are `.empty` with their union
/// type, so that a writer emits the same table the TensorFlow converter does.
public enum TFLiteOptions: Equatable, Sendable {
    case none
    case conv2D(Conv2D)
    case depthwiseConv2D(DepthwiseConv2D)
    case pool2D(Pool2D)
    case fullyConnected(FullyConnected)
    case softmax(beta: Float)
    case concatenation(axis: Int32, activation: TFLiteActivation)
    /// `potScaleInt16` false selects TFLite's general-scale int16 ADD/SUB (what 16×8 models use);
    /// the schema's default, true, is the older power-of-two-scale kernel.
    case add(activation: TFLiteActivation, potScaleInt16: Bool = true)
    case sub(activation: TFLiteActivation, potScaleInt16: Bool = true)
    case mul(activation: TFLiteActivation)
    case div(activation: TFLiteActivation)
    case resizeBilinear(alignCorners: Bool, halfPixelCenters: Bool)
    case resizeNearestNeighbor(alignCorners: Bool, halfPixelCenters: Bool)
    case reshape(newShape: [Int32])
    case gather(axis: Int32, batchDims: Int32)
    case reducer(keepDims: Bool)
    case squeeze(dims: [Int32])
    case stridedSlice(StridedSlice)
    case split(numSplits: Int32)
    case splitV(numSplits: Int32)
    case cast(input: TFLiteTensorType, output: TFLiteTensorType)
    case argMax(outputType: TFLiteTensorType)
    case argMin(outputType: TFLiteTensorType)
    case transposeConv(TransposeConv)
    case leakyRelu(alpha: Float)
    /// `MirrorPadOptions`: REFLECT (the edge value is not repeated, as ONNX Pad's 'reflect') or SYMMETRIC.
    case mirrorPad(symmetric: Bool)
    case batchMatMul(adjointX: Bool, adjointY: Bool)
    case gelu(approximate: Bool)
    case spaceToDepth(blockSize: Int32)
    case depthToSpace(blockSize: Int32)
    case unidirectionalSequenceLSTM(SequenceLSTM)
    /// An options table with no fields, by union type.
    case empty(EmptyKind)
    /// A union type this library does not model; kept so that reading never loses the fact.
    case unsupported(type: UInt8)

    /// `UnidirectionalSequenceLSTMOptions`.
    public struct SequenceLSTM: Equatable, Sendable {
        public var activation: TFLiteActivation
        public var cellClip: Float
        public var projectionClip: Float
        public var timeMajor: Bool
        public var asymmetricQuantizeInputs: Bool
        public init(activation: TFLiteActivation, cellClip: Float = 0, projectionClip: Float = 0, timeMajor: Bool,
                    asymmetricQuantizeInputs: Bool = false) {
            self.activation = activation; self.cellClip = cellClip; self.projectionClip = projectionClip
            self.timeMajor = timeMajor; self.asymmetricQuantizeInputs = asymmetricQuantizeInputs
        }
    }

    public struct Conv2D: Equatable, Sendable {
        public var padding: TFLitePadding
        public var strideW: Int32, strideH: Int32
        public var activation: TFLiteActivation
        public var dilationW: Int32 = 1, dilationH: Int32 = 1
        public init(padding: TFLitePadding, strideW: Int32, strideH: Int32, activation: TFLiteActivation,
                    dilationW: Int32 = 1, dilationH: Int32 = 1) {
            self.padding = padding; self.strideW = strideW; self.strideH = strideH
            self.activation = activation; self.dilationW = dilationW; self.dilationH = dilationH
        }
    }

    public struct DepthwiseConv2D: Equatable, Sendable {
        public var padding: TFLitePadding
        public var strideW: Int32, strideH: Int32
        public var depthMultiplier: Int32
        public var activation: TFLiteActivation
        public var dilationW: Int32 = 1, dilationH: Int32 = 1
        public init(padding: TFLitePadding, strideW: Int32, strideH: Int32, depthMultiplier: Int32,
                    activation: TFLiteActivation, dilationW: Int32 = 1, dilationH: Int32 = 1) {
            self.padding = padding; self.strideW = strideW; self.strideH = strideH
            self.depthMultiplier = depthMultiplier; self.activation = activation
            self.dilationW = dilationW; self.dilationH = dilationH
        }
    }

    public struct Pool2D: Equatable, Sendable {
        public var padding: TFLitePadding
        public var strideW: Int32, strideH: Int32
        public var filterW: Int32, filterH: Int32
        public var activation: TFLiteActivation
        public init(padding: TFLitePadding, strideW: Int32, strideH: Int32, filterW: Int32, filterH: Int32,
                    activation: TFLiteActivation) {
            self.padding = padding; self.strideW = strideW; self.strideH = strideH
            self.filterW = filterW; self.filterH = filterH; self.activation = activation
        }
    }

    public struct FullyConnected: Equatable, Sendable {
        public var activation: TFLiteActivation
        public var keepNumDims: Bool
        public init(activation: TFLiteActivation, keepNumDims: Bool) {
            self.activation = activation; self.keepNumDims = keepNumDims
        }
    }

    public struct StridedSlice: Equatable, Sendable {
        public var beginMask: Int32 = 0, endMask: Int32 = 0, ellipsisMask: Int32 = 0
        public var newAxisMask: Int32 = 0, shrinkAxisMask: Int32 = 0
        public var offset: Bool = false
        public init(beginMask: Int32 = 0, endMask: Int32 = 0, ellipsisMask: Int32 = 0, newAxisMask: Int32 = 0,
                    shrinkAxisMask: Int32 = 0, offset: Bool = false) {
            self.beginMask = beginMask; self.endMask = endMask; self.ellipsisMask = ellipsisMask
            self.newAxisMask = newAxisMask; self.shrinkAxisMask = shrinkAxisMask; self.offset = offset
        }
    }

    public struct TransposeConv: Equatable, Sendable {
        public var padding: TFLitePadding
        public var strideW: Int32, strideH: Int32
        public var activation: TFLiteActivation
        public init(padding: TFLitePadding, strideW: Int32, strideH: Int32, activation: TFLiteActivation) {
            self.padding = padding; self.strideW = strideW; self.strideH = strideH; self.activation = activation
        }
    }

    /// Field-less options tables, by their `BuiltinOptions` union type.
    public enum EmptyKind: UInt8, Sendable, CaseIterable {
        case pad = 22, transpose = 26, exp = 33, logSoftmax = 36, maximumMinimum = 39, neg = 42, padV2 = 43
        case dequantize = 38, slice = 48, expandDims = 52, pow = 56, square = 66, abs = 78, cos = 84, quantize = 89, hardSwish = 91
    }

    /// The `BuiltinOptions` union type tag (0 for none).
    public var unionType: UInt8 {
        switch self {
        case .none: return 0
        case .conv2D: return 1
        case .depthwiseConv2D: return 2
        case .pool2D: return 5
        case .fullyConnected: return 8
        case .softmax: return 9
        case .concatenation: return 10
        case .add: return 11
        case .resizeBilinear: return 15
        case .reshape: return 17
        case .spaceToDepth: return 19
        case .mul: return 21
        case .gather: return 23
        case .reducer: return 27
        case .sub: return 28
        case .div: return 29
        case .squeeze: return 30
        case .stridedSlice: return 32
        case .split: return 35
        case .cast: return 37
        case .argMax: return 40
        case .transposeConv: return 49
        case .argMin: return 57
        case .resizeNearestNeighbor: return 74
        case .leakyRelu: return 75
        case .mirrorPad: return 77
        case .splitV: return 79
        case .unidirectionalSequenceLSTM: return 71
        case .depthToSpace: return 94
        case .batchMatMul: return 101
        case .gelu: return 116
        case .empty(let kind): return kind.rawValue
        case .unsupported(let type): return type
        }
    }

    /// The fused activation, for ops whose options carry one.
    public var fusedActivation: TFLiteActivation {
        switch self {
        case .conv2D(let o): return o.activation
        case .depthwiseConv2D(let o): return o.activation
        case .pool2D(let o): return o.activation
        case .fullyConnected(let o): return o.activation
        case .transposeConv(let o): return o.activation
        case .concatenation(_, let a), .add(let a, _), .sub(let a, _), .mul(let a), .div(let a): return a
        default: return .none
        }
    }
}
