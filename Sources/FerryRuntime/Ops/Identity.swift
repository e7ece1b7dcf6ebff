import FerryIR

/// Identity: the input, unchanged (shared, not copied).
struct Identity: Operator {
    static let opType = "Identity"

    init(_ node: NodeContext) throws {}

    func run(_ inputs: [Tensor?], _ context: ExecutionContext) throws -> [Tensor] {
        [try inputs.required(0)]
    }
}
