import FerryIR

/// AveragePool: the mean over each window, counting padding only with count_include_pad.
struct AveragePool: Operator {
    static let opType = "AveragePool"
    let window: WindowAttributes
    let countIncludePad: Bool

    init(_ node: NodeContext) throws {
        window = try WindowAttributes(node, ceilMode: true)
        guard window.kernelShape != nil else { throw node.invalid("kernel_shape", "is required") }
        countIncludePad = try node.int("count_include_pad", default: 0) != 0
    }

    func run(_ inputs: [Tensor?], _ context: ExecutionContext) throws -> [Tensor] {
        try computingInFloat32(inputs) { inputs in
            let x = try inputs.required(0)
            guard x.rank >= 3, x.dataType == .float32 else { throw KernelError("expects float N×C×spatial, got \(x.dataType)\(x.shape)") }
            let geometry = try window.resolve(input: Array(x.shape[2...]), kernel: window.kernelShape!)
            return [Pooling.run(x, geometry: geometry, kind: .average(countIncludePad: countIncludePad), context: context).0]
        }
    }
}
