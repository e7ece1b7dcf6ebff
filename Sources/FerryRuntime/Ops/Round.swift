import FerryIR
import Foundation

/// Round: rounds each element to the nearest integer, ties to even.
struct Round: Operator {
    static let opType = "Round"

    init(_ node: NodeContext) throws {}

    func run(_ inputs: [Tensor?], _ context: ExecutionContext) throws -> [Tensor] {
        [try mapFloat(inputs.required(0), context, { x in x.rounded(.toNearestOrEven) }, { x in x.rounded(.toNearestOrEven) })]
    }
}
