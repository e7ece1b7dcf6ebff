import FerryIR
import Foundation

/// Log: natural logarithm of each element.
struct Log: Operator {
    static let opType = "Log"

    init(_ node: NodeContext) throws {}

    func run(_ inputs: [Tensor?], _ context: ExecutionContext) throws -> [Tensor] {
        [try mapFloat(inputs.required(0), context, { x in Foundation.log(x) }, { x in Foundation.log(x) })]
    }
}
