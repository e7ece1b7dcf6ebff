import FerryIR

/// Constant: a tensor given by exactly one of its value attributes.
struct Constant: Operator {
    static let opType = "Constant"
    let value: Tensor

    init(_ node: NodeContext) throws {
        var found: [Tensor] = []
        if let t = try node.tensor("value") { found.append(t) }
        if let f = try node.floatIfPresent("value_float") { found.append(Tensor(scalar: f)) }
        if let fs = try node.floats("value_floats") { found.append(Tensor(shape: [fs.count], values: fs)) }
        if let i = try node.intIfPresent("value_int") { found.append(Tensor(scalar: Int64(i))) }
        if let ins = try node.ints("value_ints") { found.append(Tensor(shape: [ins.count], values: ins.map { Int64($0) })) }
        if node.has("value_string") { found.append(Tensor(scalar: try node.string("value_string", default: ""))) }
        if let ss = try node.strings("value_strings") { found.append(Tensor(shape: [ss.count], values: ss)) }
        if node.has("sparse_value") { throw node.invalid("sparse_value", "sparse constants are not supported") }
        guard found.count == 1 else { throw node.invalid("value", "exactly one value attribute is required, found \(found.count)") }
        value = found[0]
    }

    func run(_ inputs: [Tensor?], _ context: ExecutionContext) throws -> [Tensor] { [value] }
}
