/// One `k=v` value of an NCNN layer line: an int, a float, or an array of either.
public enum NCNNParamValue: Sendable, Equatable {
    case int(Int)
    case float(Float)
    case ints([Int])
    case floats([Float])

    /// The value as an integer (a float written where an int is read truncates, as NCNN does).
    public var intValue: Int? {
        switch self {
        case .int(let v): return v
        case .float(let v): return Int(v)
        default: return nil
        }
    }

    public var floatValue: Float? {
        switch self {
        case .int(let v): return Float(v)
        case .float(let v): return v
        default: return nil
        }
    }

    public var intArray: [Int]? {
        switch self {
        case .ints(let v): return v
        case .floats(let v): return v.map { Int($0) }
        default: return nil
        }
    }

    public var floatArray: [Float]? {
        switch self {
        case .floats(let v): return v
        case .ints(let v): return v.map { Float($0) }
        default: return nil
        }
    }
}

/// One layer line of a `.param` file.
public struct NCNNLayer: Sendable, Equatable {
    public var type: String
    public var name: String
    public var inputs: [String]
    public var outputs: [String]
    /// Parameters by id (0…31); arrays are written with id `-23300 - k`.
    public var params: [Int: NCNNParamValue]

    public init(type: String, name: String, inputs: [String], outputs: [String], params: [Int: NCNNParamValue] = [:]) {
        self.type = type
        self.name = name
        self.inputs = inputs
        self.outputs = outputs
        self.params = params
    }

    func int(_ id: Int, _ fallback: Int) -> Int { params[id]?.intValue ?? fallback }
    func float(_ id: Int, _ fallback: Float) -> Float { params[id]?.floatValue ?? fallback }
    func ints(_ id: Int) -> [Int] { params[id]?.intArray ?? [] }
}

/// A parsed or generated NCNN param file (format version 2: magic 7767517).
public struct NCNNParamFile: Sendable, Equatable {
    public static let magic = 7767517
    /// NCNN's ParamDict holds ids 0…31.
    public static let maxParamID = 32

    public var layers: [NCNNLayer]

    public init(layers: [NCNNLayer]) { self.layers = layers }

    /// Every blob name, in order of first appearance as a layer output.
    public var blobNames: [String] {
        var seen = Set<String>()
        var names: [String] = []
        for layer in layers {
            for name in layer.outputs where seen.insert(name).inserted { names.append(name) }
        }
        return names
    }
}
