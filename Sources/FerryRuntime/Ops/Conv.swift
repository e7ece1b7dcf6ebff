import FerryIR

/// Conv: N-D convolution with groups, strides, dilations and padding (explicit or auto_pad).
/// 1-D and 2-D float32 convolutions take the fast path; others run the reference kernel.
struct Conv: Operator {
    static let opType = "Conv"
    let window: WindowAttributes
    let group: Int
    /// The weight packed for the GEMM once, when it is a constant float32 tensor of a
    /// convolution that is not depthwise (which does not use the GEMM).
    let packed: ConvFast.PackedWeights?
    /// Applied to the output as it is computed (FusedConv).
    var activation: FusedActivation?
    /// Quantizes and dequantizes the output after the activation (a Q→DQ pair a `StepChain` fused in).
    var fakeQuantization: ChainKernel.FakeQuantization?

    init(_ node: NodeContext) throws {
        window = try WindowAttributes(node)
        group = try node.int("group", default: 1)
        guard group >= 1 else { throw node.invalid("group", "must be positive, got \(group)") }
        if let w = node.constant(1), w.dataType == .float32, (w.rank == 4 || w.rank == 3), w.shape[0] % group == 0,
           w.shape[0] > 0, !(w.shape[1] == 1 && w.shape[0] == group) {
            packed = ConvFast.PackedWeights.shared(w, group: group)
        } else {
            packed = nil
        }
    }

    func run(_ inputs: [Tensor?], _ context: ExecutionContext) throws -> [Tensor] {
        try computingInFloat32(inputs) { inputs in
            let x = try inputs.required(0), w = try inputs.required(1), bias = inputs.optional(2)
            guard x.dataType == .float32, w.dataType == .float32 else { throw KernelError("expects float inputs, got \(x.dataType) and \(w.dataType)") }
            guard x.rank >= 3, w.rank == x.rank else { throw KernelError("input \(x.shape) and weight \(w.shape) must both be N×C×spatial") }
            let c = x.shape[1], m = w.shape[0]
            guard c % group == 0, m % group == 0, w.shape[1] == c / group else {
                throw KernelError("weight \(w.shape) does not fit input channels \(c) in \(group) groups")
            }
            if let bias, bias.count != m || bias.dataType != .float32 { throw KernelError("bias \(bias.shape) should have \(m) float values") }
            let geometry = try window.resolve(input: Array(x.shape[2...]), kernel: Array(w.shape[2...]))
            guard geometry.kernel == Array(w.shape[2...]) else {
                throw KernelError("kernel_shape \(geometry.kernel) does not match weight \(w.shape)")
            }
            if let flat = geometry.as2D {
                let x4 = x.rank == 3 ? x.reshaped([x.shape[0], c, 1, x.shape[2]]) : x
                let w4 = w.rank == 3 ? w.reshaped([m, w.shape[1], 1, w.shape[2]]) : w
                let out = ConvFast.run(x: x4, w: w4, bias: bias, geometry: flat, group: group, context: context, packed: packed,
                                       activation: activation, quantizing: fakeQuantization.map { ($0.scale, $0.zero, $0.low, $0.high) })
                return [out.reshaped([x.shape[0], m] + geometry.output)]
            }
            let out = ConvReference.run(x: x, w: w, bias: bias, geometry: geometry, group: group)
            activation?.apply(to: out, context)
            if let fakeQuantization {
                let p = out.storage.bytes.assumingMemoryBound(to: Float.self)
                fakeQuantization.apply(UnsafePointer(p), p, out.count, context)
            }
            return [out]
        }
    }
}
