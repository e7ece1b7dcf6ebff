import FerryIR

/// IntegerSub (`ai.ferry`): int8 subtraction with broadcasting, as TFLite's int8 SUB computes it.
struct IntegerSub: Operator {
    static let opType = "IntegerSub"
    static let domain = "ai.ferry"
    let kernel: IntegerAddition
    init(_ node: NodeContext) throws { kernel = try IntegerAddition(node, subtract: true) }
    func run(_ inputs: [Tensor?], _ context: ExecutionContext) throws -> [Tensor] { try kernel.run(inputs, context) }
}
