/// The element type of a Core ML multi-array feature (FeatureTypes.proto `ArrayDataType`).
public enum ArrayDataType: Int32, Sendable, CaseIterable {
    case float32 = 65568
    case float64 = 65600
    case int32 = 131104
    case float16 = 65552

    /// The MIL type a function input or output of this feature type has.
    public var milType: MILDataType {
        switch self {
        case .float32: return .float32
        case .float64: return .float64
        case .int32: return .int32
        case .float16: return .float16
        }
    }
}

/// One model input or output: a multi-array with a default shape and, where the source has
/// dynamic dims, a range per dim (upper bound nil: unbounded); or, for a classifier, the
/// predicted label (a string) or the class probabilities (string → double dictionary), whose
/// `dataType` and `shape` are then unused.
public struct FeatureDescription: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        case multiArray
        case string
        case stringKeyedDictionary
        /// An image (NeuralNetwork inputs): `shape` is [1, C, H, W], C 3 for colour, 1 for grayscale.
        case image(ImageColorSpace)
    }

    public var kind: Kind = .multiArray
    public var name: String
    public var shortDescription: String
    public var dataType: ArrayDataType
    public var shape: [Int]
    public var ranges: [ClosedRangeBound]?

    public init(name: String, shortDescription: String = "", dataType: ArrayDataType, shape: [Int], ranges: [ClosedRangeBound]? = nil) {
        self.name = name
        self.shortDescription = shortDescription
        self.dataType = dataType
        self.shape = shape
        self.ranges = ranges
    }
}

/// The pixel order of an image feature (`ImageFeatureType.ColorSpace`).
public enum ImageColorSpace: Int32, Sendable, CaseIterable {
    case grayscale = 10
    case rgb = 20
    case bgr = 30

    public var name: String {
        switch self {
        case .grayscale: return "grayscale"
        case .rgb: return "rgb"
        case .bgr: return "bgr"
        }
    }
}

/// A size range of one dim (`SizeRange`): lower bound and optional upper bound.
public struct ClosedRangeBound: Sendable, Equatable {
    public var lower: Int
    public var upper: Int?

    public init(lower: Int, upper: Int?) {
        self.lower = lower
        self.upper = upper
    }
}

/// Model metadata (`Metadata`): the fields Xcode shows, plus user-defined pairs in key order.
public struct ModelMetadata: Sendable, Equatable {
    public var shortDescription = ""
    public var versionString = ""
    public var author = ""
    public var license = ""
    public var userDefined: [(key: String, value: String)] = []

    public init() {}

    public static func == (lhs: ModelMetadata, rhs: ModelMetadata) -> Bool {
        lhs.shortDescription == rhs.shortDescription && lhs.versionString == rhs.versionString && lhs.author == rhs.author
            && lhs.license == rhs.license && lhs.userDefined.map(\.key) == rhs.userDefined.map(\.key)
            && lhs.userDefined.map(\.value) == rhs.userDefined.map(\.value)
    }
}

/// The model's interface (`ModelDescription`).
public struct ModelDescription: Sendable {
    public var inputs: [FeatureDescription] = []
    public var outputs: [FeatureDescription] = []
    public var metadata = ModelMetadata()
    /// Classifier outputs: the predicted class and the class probabilities (empty otherwise).
    public var predictedFeatureName = ""
    public var predictedProbabilitiesName = ""
    /// Names of features that are not multi-arrays, when read leniently (`SpecDecoder.header`).
    public var otherFeatures: [String] = []

    public init() {}
}

/// A Core ML model spec (Model.proto `Model`) as Ferry writes and reads it.
public struct CoreMLModelSpec: Sendable {
    /// What the model computes.
    public enum Body: Sendable {
        case mlProgram(MILProgram)
    }

    /// 4 is iOS 13 (NeuralNetwork), 6 iOS 15 (first ML Program), 7 iOS 16 (constexpr ops), 8 iOS 17.
    public var specificationVersion: Int32
    public var description: ModelDescription
    public var body: Body

    public init(specificationVersion: Int32, description: ModelDescription, body: Body) {
        self.specificationVersion = specificationVersion
        self.description = description
        self.body = body
    }
}
