import FerryIR

/// Not: logical negation of a bool tensor.
struct Not: Operator {
    static let opType = "Not"

    init(_ node: NodeContext) throws {}

    func run(_ inputs: [Tensor?], _ context: ExecutionContext) throws -> [Tensor] {
        let x = try inputs.required(0)
        guard x.dataType == .bool else { throw KernelError("expects a bool input, got \(x.dataType)") }
        return [mapUnary(x, context) { (v: Bool) -> Bool in !v }]
    }
}
