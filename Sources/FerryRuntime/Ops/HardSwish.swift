import FerryIR

/// HardSwish: x * max(0, min(1, x/6 + 1/2)).
struct HardSwish: Operator {
    static let opType = "HardSwish"

    init(_ node: NodeContext) throws {}

    func run(_ inputs: [Tensor?], _ context: ExecutionContext) throws -> [Tensor] {
        [try mapFloat(inputs.required(0), context,
                      { $0 * Swift.max(0, Swift.min(1, $0 / 6 + 0.5)) },
                      { $0 * Swift.max(0, Swift.min(1, $0 / 6 + 0.5)) })]
    }
}
