import FerryIR
import Foundation

/// Tanh: hyperbolic tangent of each element.
struct Tanh: Operator {
    static let opType = "Tanh"

    init(_ node: NodeContext) throws {}

    func run(_ inputs: [Tensor?], _ context: ExecutionContext) throws -> [Tensor] {
        [try mapFloat(inputs.required(0), context, { x in Foundation.tanh(x) }, { x in Foundation.tanh(x) })]
    }
}
