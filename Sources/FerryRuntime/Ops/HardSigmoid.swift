import FerryIR

/// HardSigmoid: max(0, min(1, alpha*x + beta)).
struct HardSigmoid: Operator {
    static let opType = "HardSigmoid"
    let alpha: Float
    let beta: Float

    init(_ node: NodeContext) throws {
        alpha = try node.float("alpha", default: 0.2)
        beta = try node.float("beta", default: 0.5)
    }

    func run(_ inputs: [Tensor?], _ context: ExecutionContext) throws -> [Tensor] {
        let a = alpha, b = beta, a64 = Double(alpha), b64 = Double(beta)
        return [try mapFloat(inputs.required(0), context,
                             { Swift.max(0, Swift.min(1, a * $0 + b)) },
                             { Swift.max(0, Swift.min(1, a64 * $0 + b64)) })]
    }
}
