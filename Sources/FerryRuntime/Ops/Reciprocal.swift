import FerryIR
import Foundation

/// Reciprocal: 1/x for each element.
struct Reciprocal: Operator {
    static let opType = "Reciprocal"

    init(_ node: NodeContext) throws {}

    func run(_ inputs: [Tensor?], _ context: ExecutionContext) throws -> [Tensor] {
        [try mapFloat(inputs.required(0), context, { x in 1 / x }, { x in 1 / x })]
    }
}
