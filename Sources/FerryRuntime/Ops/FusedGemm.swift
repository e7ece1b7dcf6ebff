import FerryIR

/// FusedGemm (`com.microsoft`, as ONNX Runtime defines it): Gemm followed by an activation.
struct FusedGemm: Operator {
    static let opType = "FusedGemm"
    static let domain = "com.microsoft"
    let gemm: Gemm
    let activation: FusedActivation

    init(_ node: NodeContext) throws {
        gemm = try Gemm(node)
        activation = try FusedActivation.parse(node, parameters: nil)
    }

    func run(_ inputs: [Tensor?], _ context: ExecutionContext) throws -> [Tensor] {
        let outputs = try gemm.run(inputs, context)
        guard let y = outputs.first, y.dataType == .float32 else {
            throw KernelError("FusedGemm computes float32 only")
        }
        // Gemm's result is a fresh tensor this node owns.
        activation.apply(to: y, context)
        return outputs
    }
}
