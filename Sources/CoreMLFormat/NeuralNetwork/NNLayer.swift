/// One NeuralNetwork.proto layer as Ferry writes and reads it: the rank-N ("ND") layers of spec
/// 4 (iOS 13), plus the convolution, pooling, batchnorm and activation layers that work on
/// rank-4 NCHW blobs there. Blobs keep the source's layout and rank.
public struct NNLayer: Sendable, Equatable {
    public var name: String
    public var inputs: [String]
    public var outputs: [String]
    public var kind: NNLayerKind

    public init(name: String, inputs: [String], outputs: [String], kind: NNLayerKind) {
        self.name = name
        self.inputs = inputs
        self.outputs = outputs
        self.kind = kind
    }
}

/// Element-wise activations (`ActivationParams`).
public enum NNActivation: Sendable, Equatable {
    case relu, sigmoid, tanh
    case leakyRelu(alpha: Float)
    case elu(alpha: Float)
    /// min(max(alpha·x + beta, 0), 1).
    case hardSigmoid(alpha: Float, beta: Float)
    /// alpha·x + beta (alpha 1, beta 0: a copy).
    case linear(alpha: Float, beta: Float)
}

/// Broadcasting binary layers (`…BroadcastableLayerParams`).
public enum NNBinary: String, Sendable, CaseIterable {
    case add = "addBroadcastable", subtract = "subtractBroadcastable", multiply = "multiplyBroadcastable"
    case divide = "divideBroadcastable", max = "maxBroadcastable", min = "minBroadcastable", pow = "powBroadcastable"
}

/// Element-wise unary layers: `UnaryFunctionLayerParams` operations and the single-op layers.
public enum NNUnary: String, Sendable, CaseIterable {
    case sqrt, exp, log, abs, ceil, floor, sin, cos, erf
}

/// Reductions (`Reduce…LayerParams`).
public enum NNReduction: String, Sendable, CaseIterable {
    case sum = "reduceSum", mean = "reduceMean", max = "reduceMax", min = "reduceMin", prod = "reduceProd"
}

/// `ConvolutionLayerParams`: 2-D convolution or deconvolution of a rank-4 NCHW blob.
public struct NNConvolution: Sendable, Equatable {
    public var outputChannels: Int
    public var kernelChannels: Int
    public var groups: Int
    public var kernel: [Int]
    public var stride: [Int]
    public var dilation: [Int]
    /// [top, left, bottom, right] (`ValidPadding.paddingAmounts`).
    public var pads: [Int]
    public var isDeconvolution: Bool
    /// Deconvolution output [H, W] (empty: from the padding).
    public var outputShape: [Int]
    /// [C_out, C_in/groups, kH, kW]; for deconvolution [C_in, C_out/groups, kH, kW].
    public var weights: NNWeights
    public var bias: NNWeights?
}

/// `UpsampleLayerParams` by integer factors of the last two axes ([H, W]).
public struct NNUpsample: Sendable, Equatable {
    public var factors: [Int]
    public var bilinear: Bool
    public var linearMode: NNLinearUpsampleMode
}

/// `UpsampleLayerParams.LinearUpsampleMode`: the grid of a bilinear upsample of Xin to Xout.
public enum NNLinearUpsampleMode: Int, Sendable, Equatable {
    /// i · (Xin − Xin/Xout)/(Xout − 1), that is i · Xin/Xout: ONNX's asymmetric.
    case `default` = 0
    /// i · (Xin − 1)/(Xout − 1): align_corners (spec 5, iOS 14).
    case alignCornersTrue = 1
    /// (i + ½) · Xin/Xout − ½, clamped: half_pixel (spec 5, iOS 14).
    case alignCornersFalse = 2
}

/// `SamplingMode.Method` of `ResizeBilinearLayerParams`.
public enum NNSamplingMode: Int, Sendable, Equatable {
    case strictAlignEndpoints = 0, alignEndpoints = 1, upsample = 2, roiAlign = 3

    /// The name of the same grid in MIL's resize_bilinear (`MILResizeGrid.resizeBilinear`).
    var milName: String {
        switch self {
        case .strictAlignEndpoints: return "STRICT_ALIGN_CORNERS"
        case .alignEndpoints: return "ALIGN_CORNERS"
        case .upsample: return "DEFAULT"
        case .roiAlign: return "OFFSET_CORNERS"
        }
    }
}

/// `PoolingLayerParams` of a rank-4 NCHW blob.
public struct NNPooling: Sendable, Equatable {
    public var isMax: Bool
    public var kernel: [Int]
    public var stride: [Int]
    /// [top, left, bottom, right].
    public var pads: [Int]
    public var excludePadding: Bool
    public var global: Bool
}

/// `PaddingLayerParams`: pads the last two axes ([H, W]) of a blob of rank 2 or more.
public struct NNPadding: Sendable, Equatable {
    public enum Mode: Sendable, Equatable {
        case constant(Float), reflection, replication
    }

    public var mode: Mode
    /// [top, left, bottom, right].
    public var pads: [Int]
}

/// `UniDirectionalLSTMLayerParams`: activations sigmoid, tanh, tanh; input [Seq, Batch, C, 1, 1].
/// Matrices are [hidden, input] / [hidden, hidden] per gate, in Core ML's gate order i, f, z(g), o.
public struct NNLSTM: Sendable, Equatable {
    public var inputSize: Int
    public var hiddenSize: Int
    public var inputWeights: [NNWeights]
    public var recursionWeights: [NNWeights]
    public var biases: [NNWeights]?
    public var sequenceOutput: Bool
}

/// What a layer computes.
public enum NNLayerKind: Sendable, Equatable {
    case convolution(NNConvolution)
    case pooling(NNPooling)
    case activation(NNActivation)
    /// `BatchedMatMulLayerParams`: with `weights` ([outputSize, inputSize] storage, i.e. the
    /// transposed [X1, X2] matrix as Core ML stores it) one input; without, two inputs.
    case batchedMatMul(weights: NNWeights?, bias: NNWeights?, inputSize: Int, outputSize: Int, transposeA: Bool, transposeB: Bool)
    case batchnorm(channels: Int, gamma: NNWeights, beta: NNWeights, mean: NNWeights, variance: NNWeights, epsilon: Float)
    case binary(NNBinary)
    case unary(NNUnary)
    case gelu(exact: Bool)
    case clip(min: Float, max: Float)
    case loadConstant(shape: [Int], data: NNWeights)
    case reduce(NNReduction, axes: [Int], keepDims: Bool)
    case argMax(axis: Int, removeDim: Bool)
    case argMin(axis: Int, removeDim: Bool)
    case reshape(shape: [Int])
    case transpose(axes: [Int])
    case concat(axis: Int)
    case softmax(axis: Int)
    case gather(axis: Int)
    case slice(begin: [Int], end: [Int], strides: [Int], beginMask: [Bool], endMask: [Bool])
    case layerNorm(shape: [Int], epsilon: Float, gamma: NNWeights, beta: NNWeights)
    case lstm(NNLSTM)
    case upsample(NNUpsample)
    /// `ResizeBilinearLayerParams`: the last two axes to `targetSize` [H, W].
    case resizeBilinear(targetSize: [Int], mode: NNSamplingMode)
    case padding(NNPadding)
    /// `ConstantPaddingLayerParams`: [b0, e0, b1, e1, …] for every axis, filled with `value`.
    case constantPad(amounts: [Int], value: Float)

    /// The NeuralNetworkLayer oneof field name (what `ferry inspect` and coremltools call the layer).
    public var typeName: String {
        switch self {
        case .convolution: return "convolution"
        case .pooling: return "pooling"
        case .activation: return "activation"
        case .batchedMatMul: return "batchedMatmul"
        case .batchnorm: return "batchnorm"
        case .binary(let op): return op.rawValue
        case .unary(let op):
            switch op {
            case .sqrt, .exp, .log, .abs: return "unary"
            default: return op.rawValue
            }
        case .gelu: return "gelu"
        case .clip: return "clip"
        case .loadConstant: return "loadConstantND"
        case .reduce(let op, _, _): return op.rawValue
        case .argMax: return "argMax"
        case .argMin: return "argMin"
        case .reshape: return "reshapeStatic"
        case .transpose: return "transpose"
        case .concat: return "concatND"
        case .softmax: return "softmaxND"
        case .gather: return "gather"
        case .slice: return "sliceStatic"
        case .layerNorm: return "layerNormalization"
        case .lstm: return "uniDirectionalLSTM"
        case .upsample: return "upsample"
        case .resizeBilinear: return "resizeBilinear"
        case .padding: return "padding"
        case .constantPad: return "constantPad"
        }
    }

    /// The lowest specification version that has the layer as written.
    public var specificationVersion: Int32 {
        if case .upsample(let u) = self, u.bilinear && u.linearMode != .default { return 5 }
        return 4
    }

    /// Every weight tensor of the layer.
    public var weights: [NNWeights] {
        switch self {
        case .convolution(let c): return [c.weights] + (c.bias.map { [$0] } ?? [])
        case .batchedMatMul(let w, let b, _, _, _, _): return [w, b].compactMap { $0 }
        case .batchnorm(_, let g, let b, let m, let v, _): return [g, b, m, v]
        case .loadConstant(_, let data): return [data]
        case .layerNorm(_, _, let g, let b): return [g, b]
        case .lstm(let l): return l.inputWeights + l.recursionWeights + (l.biases ?? [])
        default: return []
        }
    }
}

/// Image preprocessing of one input (`NeuralNetworkImageScaler`): the layers see
/// `channelScale · pixel + bias[channel]` where the pixel values are 0…255.
public struct NNImageScaler: Sendable, Equatable {
    public var channelScale: Float
    /// Red, green, blue biases (one value for grayscale).
    public var biases: [Float]

    public init(channelScale: Float, biases: [Float]) {
        self.channelScale = channelScale
        self.biases = biases
    }
}

/// A NeuralNetwork (or NeuralNetworkClassifier) model: interface, layers, preprocessing.
public struct NeuralNetworkSpec: Sendable {
    public var specificationVersion: Int32 = 4
    public var description = ModelDescription()
    public var layers: [NNLayer] = []
    /// Input feature name → its image scaler.
    public var preprocessing: [(feature: String, scaler: NNImageScaler)] = []
    /// Class labels of a NeuralNetworkClassifier (nil: a plain NeuralNetwork).
    public var classLabels: [String]?
    /// The blob holding the class probabilities (`labelProbabilityLayerName`).
    public var probabilityBlob = ""

    public init() {}
}
