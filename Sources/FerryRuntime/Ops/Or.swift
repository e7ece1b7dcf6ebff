import FerryIR

/// Or: logical or of two bool tensors, with broadcasting.
struct Or: Operator {
    static let opType = "Or"

    init(_ node: NodeContext) throws {}

    func run(_ inputs: [Tensor?], _ context: ExecutionContext) throws -> [Tensor] {
        let a = try inputs.required(0), b = try inputs.required(1)
        guard a.dataType == .bool, b.dataType == .bool else { throw KernelError("expects bool inputs, got \(a.dataType) and \(b.dataType)") }
        return [try mapBinary(a, b, context) { (x: Bool, y: Bool) -> Bool in x || y }]
    }
}
