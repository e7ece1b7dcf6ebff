import FerryIR
import Foundation

/// Floor: rounds each element down.
struct Floor: Operator {
    static let opType = "Floor"

    init(_ node: NodeContext) throws {}

    func run(_ inputs: [Tensor?], _ context: ExecutionContext) throws -> [Tensor] {
        [try mapFloat(inputs.required(0), context, { x in x.rounded(.down) }, { x in x.rounded(.down) })]
    }
}
