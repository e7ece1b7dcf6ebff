import FerryIR
import Foundation

/// Exp: e to the power of each element.
struct Exp: Operator {
    static let opType = "Exp"

    init(_ node: NodeContext) throws {}

    func run(_ inputs: [Tensor?], _ context: ExecutionContext) throws -> [Tensor] {
        [try mapFloat(inputs.required(0), context, { x in Foundation.exp(x) }, { x in Foundation.exp(x) })]
    }
}
