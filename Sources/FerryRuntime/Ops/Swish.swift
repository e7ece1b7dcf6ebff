import FerryIR
import Foundation

/// Swish: x · sigmoid(alpha · x).
struct Swish: Operator {
    static let opType = "Swish"
    let alpha: Float

    init(_ node: NodeContext) throws { alpha = try node.float("alpha", default: 1) }

    func run(_ inputs: [Tensor?], _ context: ExecutionContext) throws -> [Tensor] {
        let a = alpha, a64 = Double(alpha)
        return [try mapFloat(inputs.required(0), context, { $0 / (1 + Foundation.exp(-a * $0)) }, { $0 / (1 + Foundation.exp(-a64 * $0)) })]
    }
}
