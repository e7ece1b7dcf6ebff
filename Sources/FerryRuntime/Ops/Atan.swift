import FerryIR
import Foundation

/// Atan: arctangent.
struct Atan: Operator {
    static let opType = "Atan"

    init(_ node: NodeContext) throws {}

    func run(_ inputs: [Tensor?], _ context: ExecutionContext) throws -> [Tensor] {
        [try mapFloat(inputs.required(0), context, { x in Foundation.atan(x) }, { x in Foundation.atan(x) })]
    }
}
