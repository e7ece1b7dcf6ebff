import FerryIR
import Foundation

/// Acosh: inverse hyperbolic cosine.
struct Acosh: Operator {
    static let opType = "Acosh"

    init(_ node: NodeContext) throws {}

    func run(_ inputs: [Tensor?], _ context: ExecutionContext) throws -> [Tensor] {
        [try mapFloat(inputs.required(0), context, { x in Foundation.acosh(x) }, { x in Foundation.acosh(x) })]
    }
}
