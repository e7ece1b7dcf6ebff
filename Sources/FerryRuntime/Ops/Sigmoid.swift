import FerryIR
import Foundation

/// Sigmoid: the logistic function 1/(1+e^-x).
struct Sigmoid: Operator {
    static let opType = "Sigmoid"

    init(_ node: NodeContext) throws {}

    func run(_ inputs: [Tensor?], _ context: ExecutionContext) throws -> [Tensor] {
        [try mapFloat(inputs.required(0), context, { x in 1 / (1 + Foundation.exp(-x)) }, { x in 1 / (1 + Foundation.exp(-x)) })]
    }
}
