import FerryIR

/// Size: the input's element count as an int64 scalar.
struct Size: Operator {
    static let opType = "Size"

    init(_ node: NodeContext) throws {}

    func run(_ inputs: [Tensor?], _ context: ExecutionContext) throws -> [Tensor] {
        [Tensor(scalar: Int64(try inputs.required(0).count))]
    }
}
