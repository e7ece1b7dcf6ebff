/// The model's inputs and outputs, as the app must feed and read them.
public struct IOSignature: Codable, Equatable, Sendable {
    public var inputs: [TensorSpec]
    public var outputs: [TensorSpec]

    public init(inputs: [TensorSpec] = [], outputs: [TensorSpec] = []) {
        self.inputs = inputs
        self.outputs = outputs
    }
}

/// One input or output tensor.
public struct TensorSpec: Codable, Equatable, Sendable {
    /// Tensor name in the model.
    public var name: String
    /// Element type (`float32`, `int8`, `uint8`, …).
    public var dtype: String
    /// Dimensions; `-1` marks a dynamic dimension.
    public var shape: [Int]
    /// Affine quantization parameters, when the tensor is quantized.
    public var quantization: Quantization?
    /// Input normalization the app must apply (`(x - mean) / std` per channel).
    public var normalization: Normalization?

    public init(name: String, dtype: String, shape: [Int], quantization: Quantization? = nil,
                normalization: Normalization? = nil) {
        self.name = name
        self.dtype = dtype
        self.shape = shape
        self.quantization = quantization
        self.normalization = normalization
    }
}

/// Affine quantization: `real = scale * (q - zeroPoint)`, per tensor or per `axis`.
public struct Quantization: Codable, Equatable, Sendable {
    public var scale: [Double]
    public var zeroPoint: [Int]
    public var axis: Int?

    public init(scale: [Double], zeroPoint: [Int], axis: Int? = nil) {
        self.scale = scale
        self.zeroPoint = zeroPoint
        self.axis = axis
    }
}

/// Per-channel normalization of an input.
public struct Normalization: Codable, Equatable, Sendable {
    public var mean: [Double]
    public var std: [Double]

    public init(mean: [Double], std: [Double]) {
        self.mean = mean
        self.std = std
    }
}

/// The summary of a conversion's drift report (converted model against the source on sample inputs).
public struct DriftSummary: Codable, Equatable, Sendable {
    public var samples: Int?
    public var maxAbsError: Double?
    public var meanAbsError: Double?
    public var tolerance: Double?
    public var passed: Bool?

    public init(samples: Int? = nil, maxAbsError: Double? = nil, meanAbsError: Double? = nil,
                tolerance: Double? = nil, passed: Bool? = nil) {
        self.samples = samples
        self.maxAbsError = maxAbsError
        self.meanAbsError = meanAbsError
        self.tolerance = tolerance
        self.passed = passed
    }
}
