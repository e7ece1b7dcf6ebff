import FerryIR
import Foundation

/// Mish: x * tanh(softplus(x)).
struct Mish: Operator {
    static let opType = "Mish"

    init(_ node: NodeContext) throws {}

    func run(_ inputs: [Tensor?], _ context: ExecutionContext) throws -> [Tensor] {
        [try mapFloat(inputs.required(0), context, { x in x * Foundation.tanh(x > 0 ? x + Foundation.log1p(Foundation.exp(-x)) : Foundation.log1p(Foundation.exp(x))) }, { x in x * Foundation.tanh(x > 0 ? x + Foundation.log1p(Foundation.exp(-x)) : Foundation.log1p(Foundation.exp(x))) })]
    }
}
