import FerryIR

/// IntegerAdd (`ai.ferry`): int8 addition with broadcasting, as TFLite's int8 ADD computes it.
struct IntegerAdd: Operator {
    static let opType = "IntegerAdd"
    static let domain = "ai.ferry"
    let kernel: IntegerAddition
    init(_ node: NodeContext) throws { kernel = try IntegerAddition(node, subtract: false) }
    func run(_ inputs: [Tensor?], _ context: ExecutionContext) throws -> [Tensor] { try kernel.run(inputs, context) }
}
