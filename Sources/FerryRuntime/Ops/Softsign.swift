import FerryIR
import Foundation

/// Softsign: x/(1+abs(x)).
struct Softsign: Operator {
    static let opType = "Softsign"

    init(_ node: NodeContext) throws {}

    func run(_ inputs: [Tensor?], _ context: ExecutionContext) throws -> [Tensor] {
        [try mapFloat(inputs.required(0), context, { x in x / (1 + abs(x)) }, { x in x / (1 + abs(x)) })]
    }
}
