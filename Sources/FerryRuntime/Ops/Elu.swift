import FerryIR
import Foundation

/// Elu: x for x >= 0, alpha*(e^x - 1) below.
struct Elu: Operator {
    static let opType = "Elu"
    let alpha: Float

    init(_ node: NodeContext) throws { alpha = try node.float("alpha", default: 1) }

    func run(_ inputs: [Tensor?], _ context: ExecutionContext) throws -> [Tensor] {
        let a = alpha, a64 = Double(alpha)
        return [try mapFloat(inputs.required(0), context,
                             { $0 >= 0 ? $0 : a * (Foundation.exp($0) - 1) },
                             { $0 >= 0 ? $0 : a64 * (Foundation.exp($0) - 1) })]
    }
}
