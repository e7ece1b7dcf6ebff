import FerryIR
import Foundation

/// Asin: arcsine.
struct Asin: Operator {
    static let opType = "Asin"

    init(_ node: NodeContext) throws {}

    func run(_ inputs: [Tensor?], _ context: ExecutionContext) throws -> [Tensor] {
        [try mapFloat(inputs.required(0), context, { x in Foundation.asin(x) }, { x in Foundation.asin(x) })]
    }
}
