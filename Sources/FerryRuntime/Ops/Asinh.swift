import FerryIR
import Foundation

/// Asinh: inverse hyperbolic sine.
struct Asinh: Operator {
    static let opType = "Asinh"

    init(_ node: NodeContext) throws {}

    func run(_ inputs: [Tensor?], _ context: ExecutionContext) throws -> [Tensor] {
        [try mapFloat(inputs.required(0), context, { x in Foundation.asinh(x) }, { x in Foundation.asinh(x) })]
    }
}
