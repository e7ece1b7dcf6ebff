import CFerryKernels
import FerryIR

/// Tanh on int16, computing as TFLite's reference int16 kernel (table shared with IntegerSigmoid).
struct IntegerTanh: Operator {
    static let opType = "IntegerTanh"
    static let domain = "ai.ferry"
    let table: Int16TableActivation
    init(_ node: NodeContext) throws { table = try Int16TableActivation(node, tanh: true) }
    func run(_ inputs: [Tensor?], _ context: ExecutionContext) throws -> [Tensor] {
        try runInt16(inputs) { ferry_tanh_s16($0, $1, $2, table.multiplier, table.leftShift) }
    }
}
