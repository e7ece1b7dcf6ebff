import FerryIR

/// Builds the MIL function while the exporter walks the graph: maps IR value names to MIL
/// values, writes constants as `const` ops (floats in the compute precision, int64 as int32),
/// and names every op after its first output.
final class MILEmitter {
    let prepared: PreparedGraph
    /// The float type of activations and weights (fp16 or fp32).
    let floatType: MILDataType
    var operations: [MILOperation] = []
    var identifiers = IdentifierTable(short: true)
    /// IR value name → MIL value name.
    var values: [String: String] = [:]
    /// MIL value name → its type.
    var types: [String: MILTensorType] = [:]
    /// Whether a MIL value is compile-time constant (a `const` or `constexpr_` output).
    var constants = Set<String>()
    /// The lowest iOS version the ops written so far need (15, 16, …).
    var minimumIOS = 15

    /// How large float constants are stored (dense, palettized, sparse).
    let compression: WeightCompression

    init(prepared: PreparedGraph, floatType: MILDataType, compression: WeightCompression = WeightCompression()) {
        self.prepared = prepared
        self.floatType = floatType
        self.compression = compression
    }

    var graph: Graph { prepared.graph }
    var opset: Int { prepared.opsets[""] ?? prepared.opsets["ai.onnx"] ?? 1 }

    // MARK: types

    /// The MIL element type that holds IR values of `type` in this program.
    func milType(_ type: DataType, value: String) throws -> MILDataType {
        switch type {
        case .float32, .float16, .float64, .bfloat16: return floatType
        case .int64, .int32, .int16, .int8, .uint8, .uint16, .uint32: return .int32
        case .bool: return .bool
        default: throw CoreMLExportError.unsupportedType(value: value, type: type)
        }
    }

    /// The inferred IR type of value `name` as MIL, dims nil where dynamic.
    func irTensorType(_ name: String, _ node: Node) throws -> MILTensorType {
        if let constant = graph.initializers[name] {
            return MILTensorType(try milType(constant.dataType, value: name), constant.shape.map { $0 })
        }
        guard let type = prepared.types[name], let shape = type.shape else {
            throw CoreMLExportError.unsupportedOp(node: node.label, op: node.opType, reason: "the type or rank of '\(name)' is unknown")
        }
        return MILTensorType(try milType(type.dataType, value: name), shape.map(\.value))
    }

    /// The static shape of IR value `name`, or an error naming the node.
    func staticShape(_ name: String, _ node: Node) throws -> [Int] {
        if let constant = graph.initializers[name] { return constant.shape }
        if let shape = prepared.types[name]?.staticShape { return shape }
        // Values lowered already (a dequantized weight) carry the shape of their MIL type.
        if let mil = values[name], let type = types[mil] {
            let shape = type.shape.compactMap { $0 }
            if shape.count == type.shape.count { return shape }
        }
        throw CoreMLExportError.dynamicShape(node: node.label, value: name)
    }

    func rank(_ name: String, _ node: Node) throws -> Int { try irTensorType(name, node).shape.count }

    // MARK: values

    /// The MIL value for IR value `name`: a defined value, or a constant written on first use.
    func value(_ name: String, _ node: Node) throws -> String {
        if let mapped = values[name] { return mapped }
        if let constant = graph.initializers[name] {
            let result = try const(constant, name: name, weight: true)
            values[name] = result
            return result
        }
        throw CoreMLExportError.unsupportedOp(node: node.label, op: node.opType, reason: "input '\(name)' is not defined before it")
    }

    /// Input `index` of `node` as a MIL value.
    func input(_ node: Node, _ index: Int) throws -> String {
        guard let name = node.input(index) else {
            throw CoreMLExportError.unsupportedOp(node: node.label, op: node.opType, reason: "input \(index) is missing")
        }
        return try value(name, node)
    }

    /// The constant behind input `index`, or an error naming it.
    func constantInput(_ node: Node, _ index: Int) throws -> Tensor {
        guard let name = node.input(index) else {
            throw CoreMLExportError.unsupportedOp(node: node.label, op: node.opType, reason: "input \(index) is missing")
        }
        guard let tensor = graph.initializers[name] else { throw CoreMLExportError.notConstant(node: node.label, op: node.opType, input: name) }
        return tensor
    }

    /// A `const` op holding `tensor` converted to its MIL type (floats to the compute precision),
    /// or the constexpr op storing it compressed when `compression` asks for it. A `weight`
    /// keeps its source name, as coremltools names weights after their parameters.
    func const(_ tensor: Tensor, name: String, weight: Bool = false) throws -> String {
        let type = try milType(tensor.dataType, value: name)
        let converted = convert(tensor, to: type)
        if let compressed = compression.compress(converted) {
            let output = constName(name, weight: weight, count: tensor.count)
            let outputType = MILTensorType(type, converted.shape.map { $0 })
            operations.append(MILOperation(type: compressed.opType, outputs: [MILNamedType(output, outputType)],
                                           attributes: [("name", .string(output))] + compressed.attributes))
            types[output] = outputType
            constants.insert(output)
            minimumIOS = max(minimumIOS, 16)
            return output
        }
        return constValue(.tensor(converted), name: name, weight: weight)
    }

    /// Weights of `weightNameSize` values or more (those the weight file holds) keep their
    /// source names; op parameters and small constants get short ids.
    static let weightNameSize = 10

    func constName(_ name: String, weight: Bool, count: Int) -> String {
        weight && count >= Self.weightNameSize ? identifiers.interface(name) : identifiers.fresh(name)
    }

    /// A `const` op holding `value` as is.
    func constValue(_ value: MILValue, name: String, weight: Bool = false) -> String {
        let output = constName(name, weight: weight, count: value.tensor?.count ?? 0)
        operations.append(MILOperation(type: "const", outputs: [MILNamedType(output, value.type)],
                                       attributes: [("name", .string(output)), ("val", value)]))
        types[output] = value.type
        constants.insert(output)
        return output
    }

    func int32s(_ values: [Int], name: String, scalar: Bool = false) -> String {
        let tensor = scalar ? Tensor(scalar: Int32(values[0])) : Tensor(shape: [values.count], values: values.map { Int32($0) })
        return constValue(.tensor(tensor), name: name)
    }

    func bool(_ value: Bool, name: String) -> String { constValue(.tensor(Tensor(scalar: value)), name: name) }

    func bools(_ values: [Bool], name: String) -> String { constValue(.tensor(Tensor(shape: [values.count], values: values)), name: name) }

    func string(_ value: String, name: String) -> String { constValue(.string(value), name: name) }

    /// A float scalar in the compute precision.
    func float(_ value: Float, name: String) -> String {
        constValue(.tensor(convert(Tensor(scalar: value), to: floatType)), name: name)
    }

    /// A float tensor in the compute precision.
    func floats(_ values: [Float], shape: [Int], name: String, weight: Bool = false) -> String {
        constValue(.tensor(convert(Tensor(shape: shape, values: values), to: floatType)), name: name, weight: weight)
    }

    /// `tensor` with elements of MIL type `type`.
    func convert(_ tensor: Tensor, to type: MILDataType) -> Tensor {
        if tensor.dataType == type.irType { return tensor }
        switch type {
        case .float16: return Tensor(shape: tensor.shape, values: tensor.doubles().map { Float16(Float($0)) })
        case .float32: return Tensor(shape: tensor.shape, values: tensor.doubles().map { Float($0) })
        case .int32: return Tensor(shape: tensor.shape, values: tensor.integers().map { Int32(clamping: $0) })
        case .bool: return Tensor(shape: tensor.shape, values: tensor.integers().map { $0 != 0 })
        default: preconditionFailure("no conversion to \(type)")
        }
    }

    // MARK: ops

    /// Appends an op with one output named after IR value `output` (or `name`), returns its MIL name.
    @discardableResult
    func op(_ type: String, _ inputs: [(String, String)], output: String, _ outputType: MILTensorType, tuple: [(String, [String])] = [],
            reserved: Bool = false) -> String {
        let name = reserved ? output : identifiers.fresh(output)
        var bound = inputs.map { (parameter: $0.0, arguments: [MILArgument.name($0.1)]) }
        bound += tuple.map { (parameter: $0.0, arguments: $0.1.map { MILArgument.name($0) }) }
        operations.append(MILOperation(type: type, inputs: bound, outputs: [MILNamedType(name, outputType)],
                                       attributes: [("name", .string(name))]))
        types[name] = outputType
        if type.hasPrefix("constexpr_") { constants.insert(name) }
        return name
    }

    /// Appends an op with several outputs, named after the IR values.
    func op(_ type: String, _ inputs: [(String, String)], outputs: [(String, MILTensorType)]) -> [String] {
        let names = outputs.map { identifiers.fresh($0.0) }
        operations.append(MILOperation(type: type, inputs: inputs.map { (parameter: $0.0, arguments: [MILArgument.name($0.1)]) },
                                       outputs: zip(names, outputs).map { MILNamedType($0, $1.1) },
                                       attributes: [("name", .string(names[0]))]))
        for (name, output) in zip(names, outputs) { types[name] = output.1 }
        return names
    }

    /// Lowers `node` to one op whose output is the node's first output, with the inferred type.
    func emit(_ node: Node, _ type: String, _ inputs: [(String, String)], tuple: [(String, [String])] = []) throws {
        let output = node.outputs[0]
        values[output] = op(type, inputs, output: output, try irTensorType(output, node), tuple: tuple)
    }

    /// Maps the node's output to an existing MIL value (Identity, a no-op Cast).
    func alias(_ node: Node, to value: String) {
        values[node.outputs[0]] = value
    }

    func unsupported(_ node: Node, _ reason: String) -> CoreMLExportError {
        .unsupportedOp(node: node.label, op: node.opType, reason: reason)
    }
}
