import FerryIR

/// ONNX Runtime's com.microsoft QuantizeLinear and DequantizeLinear: the opset-21 semantics
/// (per tensor or per axis, int8/uint8/int16/uint16), which ONNX Runtime's quantizer and
/// Ferry's 16×8 mode write for 16-bit activations in models below opset 21.
struct ContribQuantizeLinear: Operator {
    static let opType = "QuantizeLinear"
    static let domain = "com.microsoft"
    let base: QuantizeLinear
    init(_ node: NodeContext) throws { base = try QuantizeLinear(node) }
    func run(_ inputs: [Tensor?], _ context: ExecutionContext) throws -> [Tensor] { try base.run(inputs, context) }
}
