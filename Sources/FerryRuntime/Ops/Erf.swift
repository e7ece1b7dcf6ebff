import FerryIR
import Foundation

/// Erf: the Gauss error function.
struct Erf: Operator {
    static let opType = "Erf"

    init(_ node: NodeContext) throws {}

    func run(_ inputs: [Tensor?], _ context: ExecutionContext) throws -> [Tensor] {
        [try mapFloat(inputs.required(0), context, { x in Foundation.erf(x) }, { x in Foundation.erf(x) })]
    }
}
