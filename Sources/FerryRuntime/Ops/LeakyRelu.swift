import FerryIR

/// LeakyRelu: x for x >= 0, alpha*x below.
struct LeakyRelu: Operator {
    static let opType = "LeakyRelu"
    let alpha: Float

    init(_ node: NodeContext) throws { alpha = try node.float("alpha", default: 0.01) }

    func run(_ inputs: [Tensor?], _ context: ExecutionContext) throws -> [Tensor] {
        let a = alpha, a64 = Double(alpha)
        return [try mapFloat(inputs.required(0), context, { $0 >= 0 ? $0 : a * $0 }, { $0 >= 0 ? $0 : a64 * $0 })]
    }
}
