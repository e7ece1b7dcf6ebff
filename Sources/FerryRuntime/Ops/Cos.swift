import FerryIR
import Foundation

/// Cos: cosine.
struct Cos: Operator {
    static let opType = "Cos"

    init(_ node: NodeContext) throws {}

    func run(_ inputs: [Tensor?], _ context: ExecutionContext) throws -> [Tensor] {
        [try mapFloat(inputs.required(0), context, { x in Foundation.cos(x) }, { x in Foundation.cos(x) })]
    }
}
