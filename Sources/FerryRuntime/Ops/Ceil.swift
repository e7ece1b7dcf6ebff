import FerryIR
import Foundation

/// Ceil: rounds each element up.
struct Ceil: Operator {
    static let opType = "Ceil"

    init(_ node: NodeContext) throws {}

    func run(_ inputs: [Tensor?], _ context: ExecutionContext) throws -> [Tensor] {
        [try mapFloat(inputs.required(0), context, { x in x.rounded(.up) }, { x in x.rounded(.up) })]
    }
}
