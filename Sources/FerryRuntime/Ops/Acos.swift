import FerryIR
import Foundation

/// Acos: arccosine.
struct Acos: Operator {
    static let opType = "Acos"

    init(_ node: NodeContext) throws {}

    func run(_ inputs: [Tensor?], _ context: ExecutionContext) throws -> [Tensor] {
        [try mapFloat(inputs.required(0), context, { x in Foundation.acos(x) }, { x in Foundation.acos(x) })]
    }
}
