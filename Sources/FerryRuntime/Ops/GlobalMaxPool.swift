import FerryIR

/// GlobalMaxPool: the maximum of each channel plane, keeping spatial dims as 1.
struct GlobalMaxPool: Operator {
    static let opType = "GlobalMaxPool"

    init(_ node: NodeContext) throws {}

    func run(_ inputs: [Tensor?], _ context: ExecutionContext) throws -> [Tensor] {
        try computingInFloat32(inputs) { inputs in [try GlobalPool.run(inputs.required(0), max: true, context)] }
    }
}
