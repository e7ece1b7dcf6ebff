import FerryIR
import Foundation

/// Celu: max(0, x) + min(0, alpha*(e^(x/alpha) - 1)).
struct Celu: Operator {
    static let opType = "Celu"
    let alpha: Float

    init(_ node: NodeContext) throws { alpha = try node.float("alpha", default: 1) }

    func run(_ inputs: [Tensor?], _ context: ExecutionContext) throws -> [Tensor] {
        let a = alpha, a64 = Double(alpha)
        return [try mapFloat(inputs.required(0), context,
                             { Swift.max(0, $0) + Swift.min(0, a * (Foundation.exp($0 / a) - 1)) },
                             { Swift.max(0, $0) + Swift.min(0, a64 * (Foundation.exp($0 / a64) - 1)) })]
    }
}
