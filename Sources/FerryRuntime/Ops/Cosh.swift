import FerryIR
import Foundation

/// Cosh: hyperbolic cosine.
struct Cosh: Operator {
    static let opType = "Cosh"

    init(_ node: NodeContext) throws {}

    func run(_ inputs: [Tensor?], _ context: ExecutionContext) throws -> [Tensor] {
        [try mapFloat(inputs.required(0), context, { x in Foundation.cosh(x) }, { x in Foundation.cosh(x) })]
    }
}
