import FerryIR
import Foundation

/// Sinh: hyperbolic sine.
struct Sinh: Operator {
    static let opType = "Sinh"

    init(_ node: NodeContext) throws {}

    func run(_ inputs: [Tensor?], _ context: ExecutionContext) throws -> [Tensor] {
        [try mapFloat(inputs.required(0), context, { x in Foundation.sinh(x) }, { x in Foundation.sinh(x) })]
    }
}
