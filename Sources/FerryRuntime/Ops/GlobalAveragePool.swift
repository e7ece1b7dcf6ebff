import FerryIR

/// GlobalAveragePool: the mean of each channel plane, keeping spatial dims as 1.
struct GlobalAveragePool: Operator {
    static let opType = "GlobalAveragePool"

    init(_ node: NodeContext) throws {}

    func run(_ inputs: [Tensor?], _ context: ExecutionContext) throws -> [Tensor] {
        try computingInFloat32(inputs) { inputs in [try GlobalPool.run(inputs.required(0), max: false, context)] }
    }
}

/// Whole-plane pooling shared by GlobalAveragePool and GlobalMaxPool.
enum GlobalPool {
    static func run(_ x: Tensor, max useMax: Bool, _ context: ExecutionContext) throws -> Tensor {
        guard x.rank >= 3, x.dataType == .float32 else { throw KernelError("expects float N×C×spatial, got \(x.dataType)\(x.shape)") }
        let planes = x.shape[0] * x.shape[1], size = x.shape[2...].reduce(1, *)
        let out = Tensor(dataType: .float32, shape: [x.shape[0], x.shape[1]] + Array(repeating: 1, count: x.rank - 2))
        let xp = x.storage.bytes.assumingMemoryBound(to: Float.self), op = out.storage.bytes.assumingMemoryBound(to: Float.self)
        context.parallelFor(planes) { range in
            for plane in range {
                let base = xp + plane * size
                if useMax {
                    var best = -Float.infinity
                    for i in 0..<size where base[i] > best || base[i].isNaN { best = base[i] }
                    op[plane] = best
                } else {
                    var sum: Float = 0
                    for i in 0..<size { sum += base[i] }
                    op[plane] = sum / Float(size)
                }
            }
        }
        return out
    }
}
