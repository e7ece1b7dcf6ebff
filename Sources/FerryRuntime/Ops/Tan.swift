import FerryIR
import Foundation

/// Tan: tangent.
struct Tan: Operator {
    static let opType = "Tan"

    init(_ node: NodeContext) throws {}

    func run(_ inputs: [Tensor?], _ context: ExecutionContext) throws -> [Tensor] {
        [try mapFloat(inputs.required(0), context, { x in Foundation.tan(x) }, { x in Foundation.tan(x) })]
    }
}
