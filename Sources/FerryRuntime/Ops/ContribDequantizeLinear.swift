import FerryIR

/// ONNX Runtime's com.microsoft DequantizeLinear (see ContribQuantizeLinear).
struct ContribDequantizeLinear: Operator {
    static let opType = "DequantizeLinear"
    static let domain = "com.microsoft"
    let base: DequantizeLinear
    init(_ node: NodeContext) throws { base = try DequantizeLinear(node) }
    func run(_ inputs: [Tensor?], _ context: ExecutionContext) throws -> [Tensor] { try base.run(inputs, context) }
}
