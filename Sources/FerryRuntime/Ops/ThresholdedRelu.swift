import FerryIR

/// ThresholdedRelu: x where x > alpha, else 0.
struct ThresholdedRelu: Operator {
    static let opType = "ThresholdedRelu"
    let alpha: Float

    init(_ node: NodeContext) throws { alpha = try node.float("alpha", default: 1) }

    func run(_ inputs: [Tensor?], _ context: ExecutionContext) throws -> [Tensor] {
        let a = alpha, a64 = Double(alpha)
        return [try mapFloat(inputs.required(0), context, { $0 > a ? $0 : 0 }, { $0 > a64 ? $0 : 0 })]
    }
}
