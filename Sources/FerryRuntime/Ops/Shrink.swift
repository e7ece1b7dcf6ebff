import FerryIR

/// Shrink: x − bias above lambd, x + bias below −lambd, 0 between.
struct Shrink: Operator {
    static let opType = "Shrink"
    let bias: Float
    let lambd: Float

    init(_ node: NodeContext) throws {
        bias = try node.float("bias", default: 0)
        lambd = try node.float("lambd", default: 0.5)
    }

    func run(_ inputs: [Tensor?], _ context: ExecutionContext) throws -> [Tensor] {
        let x = try inputs.required(0)
        let b = Double(bias), l = Double(lambd)
        let result = x.doubles().map { $0 < -l ? $0 + b : ($0 > l ? $0 - b : 0) }
        return [try Reduction.typed(result, shape: x.shape, like: x)]
    }
}
