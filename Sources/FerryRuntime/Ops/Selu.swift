import FerryIR
import Foundation

/// Selu: gamma*x for x > 0, gamma*alpha*(e^x - 1) otherwise.
struct Selu: Operator {
    static let opType = "Selu"
    let alpha: Float
    let gamma: Float

    init(_ node: NodeContext) throws {
        alpha = try node.float("alpha", default: 1.67326319217681884765625)
        gamma = try node.float("gamma", default: 1.05070102214813232421875)
    }

    func run(_ inputs: [Tensor?], _ context: ExecutionContext) throws -> [Tensor] {
        let a = alpha, g = gamma, a64 = Double(alpha), g64 = Double(gamma)
        return [try mapFloat(inputs.required(0), context,
                             { $0 > 0 ? g * $0 : g * (a * Foundation.exp($0) - a) },
                             { $0 > 0 ? g64 * $0 : g64 * (a64 * Foundation.exp($0) - a64) })]
    }
}
