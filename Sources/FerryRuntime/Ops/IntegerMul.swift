import FerryIR

/// IntegerMul (`ai.ferry`): int8 multiplication with broadcasting, as TFLite's int8 MUL computes it.
struct IntegerMul: Operator {
    static let opType = "IntegerMul"
    static let domain = "ai.ferry"
    let kernel: IntegerMultiplication
    init(_ node: NodeContext) throws { kernel = try IntegerMultiplication(node) }
    func run(_ inputs: [Tensor?], _ context: ExecutionContext) throws -> [Tensor] { try kernel.run(inputs, context) }
}
