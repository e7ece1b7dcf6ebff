import FerryIR

/// The type of a MIL value: a tensor of one element type and a shape whose dims may be unknown
/// (nil) where the source model has dynamic dims. Rank 0 is a scalar.
///
/// With `dictionaryValue` set it is instead a dictionary from `dataType` scalars to
/// `dictionaryValue` scalars (shape empty): the class probabilities `classify` makes.
public struct MILTensorType: Sendable, Equatable {
    public var dataType: MILDataType
    public var shape: [Int?]
    public var dictionaryValue: MILDataType?

    public init(_ dataType: MILDataType, _ shape: [Int?]) {
        self.dataType = dataType
        self.shape = shape
    }

    /// A dictionary type (`classify`'s probabilities: string → fp64).
    public static func dictionary(key: MILDataType, value: MILDataType) -> MILTensorType {
        var type = MILTensorType(key, [])
        type.dictionaryValue = value
        return type
    }
}

/// A constant: a tensor (numbers, bools) or a string scalar. Strings are only ever op
/// parameters (`pad_type`, `dtype`, names), so MIL string tensors are not needed.
public enum MILValue: Sendable {
    case tensor(Tensor)
    case string(String)
    /// A list of string scalars (`classify`'s `classes`); its `type` stands for the list as a
    /// string vector of the list's length.
    case strings([String])

    /// The MIL type of this value.
    public var type: MILTensorType {
        switch self {
        case .tensor(let tensor): return MILTensorType(MILDataType(tensor.dataType) ?? .float32, tensor.shape.map { $0 })
        case .string: return MILTensorType(.string, [])
        case .strings(let list): return MILTensorType(.string, [list.count])
        }
    }

    public var tensor: Tensor? {
        if case .tensor(let tensor) = self { return tensor }
        return nil
    }
}

/// One bound input argument: a value name or an inline constant.
public enum MILArgument: Sendable {
    case name(String)
    case value(MILValue)
}

/// A named, typed value: a function input or an op output.
public struct MILNamedType: Sendable, Equatable {
    public var name: String
    public var type: MILTensorType

    public init(_ name: String, _ type: MILTensorType) {
        self.name = name
        self.type = type
    }
}

/// One MIL operation. Inputs keep the order they were bound in, so serialization is
/// deterministic; an input bound to several values (concat's `values`) is a tuple.
public struct MILOperation: Sendable {
    public var type: String
    public var inputs: [(parameter: String, arguments: [MILArgument])]
    public var outputs: [MILNamedType]
    /// Attributes: `name` on every op, `val` on `const`.
    public var attributes: [(name: String, value: MILValue)]

    public init(type: String, inputs: [(parameter: String, arguments: [MILArgument])] = [], outputs: [MILNamedType],
                attributes: [(name: String, value: MILValue)] = []) {
        self.type = type
        self.inputs = inputs
        self.outputs = outputs
        self.attributes = attributes
    }

    /// The names bound to `parameter`, or nil when it is absent or holds an inline value.
    public func names(_ parameter: String) -> [String]? {
        guard let arguments = inputs.first(where: { $0.parameter == parameter })?.arguments else { return nil }
        var names: [String] = []
        for argument in arguments {
            guard case .name(let name) = argument else { return nil }
            names.append(name)
        }
        return names
    }

    /// The attribute `name`, if present.
    public func attribute(_ name: String) -> MILValue? {
        attributes.first { $0.name == name }?.value
    }
}

/// A MIL function: inputs, one block of operations for one opset, and the block's outputs.
public struct MILFunction: Sendable {
    public var inputs: [MILNamedType]
    /// The opset the block is written for ("CoreML5" is iOS 15, "CoreML6" iOS 16, …).
    public var opset: String
    public var operations: [MILOperation]
    public var outputs: [String]

    public init(inputs: [MILNamedType], opset: String, operations: [MILOperation], outputs: [String]) {
        self.inputs = inputs
        self.opset = opset
        self.operations = operations
        self.outputs = outputs
    }
}

/// A MIL program (version 1) with its functions by name; Ferry writes one, "main".
public struct MILProgram: Sendable {
    public var functions: [(name: String, function: MILFunction)]

    public init(functions: [(name: String, function: MILFunction)]) {
        self.functions = functions
    }

    public var main: MILFunction? { functions.first { $0.name == "main" }?.function }
}
