import FerryIR
import Foundation

/// Sin: sine.
struct Sin: Operator {
    static let opType = "Sin"

    init(_ node: NodeContext) throws {}

    func run(_ inputs: [Tensor?], _ context: ExecutionContext) throws -> [Tensor] {
        [try mapFloat(inputs.required(0), context, { x in Foundation.sin(x) }, { x in Foundation.sin(x) })]
    }
}
