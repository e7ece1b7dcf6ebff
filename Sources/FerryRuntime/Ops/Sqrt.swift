import FerryIR
import Foundation

/// Sqrt: square root of each element.
struct Sqrt: Operator {
    static let opType = "Sqrt"

    init(_ node: NodeContext) throws {}

    func run(_ inputs: [Tensor?], _ context: ExecutionContext) throws -> [Tensor] {
        [try mapFloat(inputs.required(0), context, { x in x.squareRoot() }, { x in x.squareRoot() })]
    }
}
