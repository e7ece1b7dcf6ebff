import FerryIR

/// ArgMin: the index of the smallest element along axis (first or last on ties), as int64.
struct ArgMin: Operator {
    static let opType = "ArgMin"
    let attributes: ArgExtreme.Attributes

    init(_ node: NodeContext) throws { attributes = try ArgExtreme.Attributes(node) }

    func run(_ inputs: [Tensor?], _ context: ExecutionContext) throws -> [Tensor] {
        [try ArgExtreme.run(inputs.required(0), attributes, largest: false)]
    }
}
