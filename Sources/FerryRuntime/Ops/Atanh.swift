import FerryIR
import Foundation

/// Atanh: inverse hyperbolic tangent.
struct Atanh: Operator {
    static let opType = "Atanh"

    init(_ node: NodeContext) throws {}

    func run(_ inputs: [Tensor?], _ context: ExecutionContext) throws -> [Tensor] {
        [try mapFloat(inputs.required(0), context, { x in Foundation.atanh(x) }, { x in Foundation.atanh(x) })]
    }
}
