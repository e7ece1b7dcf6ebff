import FerryIR
import Foundation

/// Softplus: log(1+e^x), computed without overflow.
struct Softplus: Operator {
    static let opType = "Softplus"

    init(_ node: NodeContext) throws {}

    func run(_ inputs: [Tensor?], _ context: ExecutionContext) throws -> [Tensor] {
        [try mapFloat(inputs.required(0), context, { x in x > 0 ? x + Foundation.log1p(Foundation.exp(-x)) : Foundation.log1p(Foundation.exp(x)) }, { x in x > 0 ? x + Foundation.log1p(Foundation.exp(-x)) : Foundation.log1p(Foundation.exp(x)) })]
    }
}
