import FerryIR
import Foundation

/// Gelu: x * Φ(x), exactly through erf or with the tanh approximation.
struct Gelu: Operator {
    static let opType = "Gelu"
    let tanhApproximation: Bool

    init(_ node: NodeContext) throws {
        let mode = try node.string("approximate", default: "none")
        guard mode == "none" || mode == "tanh" else { throw node.invalid("approximate", "must be 'none' or 'tanh', not '\(mode)'") }
        tanhApproximation = mode == "tanh"
    }

    func run(_ inputs: [Tensor?], _ context: ExecutionContext) throws -> [Tensor] {
        if tanhApproximation {
            let c = (2 / Double.pi).squareRoot()
            return [try mapFloat(inputs.required(0), context,
                                 { x in 0.5 * x * (1 + Foundation.tanh(Float(c) * (x + 0.044715 * x * x * x))) },
                                 { x in 0.5 * x * (1 + Foundation.tanh(c * (x + 0.044715 * x * x * x))) })]
        }
        return [try mapFloat(inputs.required(0), context,
                             { x in 0.5 * x * (1 + Foundation.erf(x / Float(2).squareRoot())) },
                             { x in 0.5 * x * (1 + Foundation.erf(x / Double(2).squareRoot())) })]
    }
}
