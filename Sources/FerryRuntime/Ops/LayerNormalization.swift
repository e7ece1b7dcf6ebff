import FerryIR

/// LayerNormalization: normalizes over the axes from `axis` on, then scales and shifts; the
/// optional outputs are the mean and the inverse standard deviation.
struct LayerNormalization: Operator {
    static let opType = "LayerNormalization"
    let axis: Int
    let epsilon: Float

    init(_ node: NodeContext) throws {
        axis = try node.int("axis", default: -1)
        epsilon = try node.float("epsilon", default: 1e-5)
        node.ignore("stash_type")
    }

    func run(_ inputs: [Tensor?], _ context: ExecutionContext) throws -> [Tensor] {
        try computingInFloat32(inputs) { inputs in
            try requireFloat32(inputs, [0: "X", 1: "Scale", 2: "B"])
            let x = try inputs.required(0), scale = try inputs.required(1), bias = inputs.optional(2)
            guard x.dataType == .float32 else { throw KernelError("expects float input, got \(x.dataType)") }
            let a = try Axis.normalize(axis, rank: x.rank)
            let rows = x.shape[..<a].reduce(1, *), size = x.shape[a...].reduce(1, *)
            let normalizedShape = Array(x.shape[a...])
            let scaleFull = Expand.broadcast(scale, to: try Broadcast.checkedShape([scale.shape, normalizedShape]))
            let biasFull = try bias.map { Expand.broadcast($0, to: try Broadcast.checkedShape([$0.shape, normalizedShape])) }
            guard scaleFull.count == size, biasFull == nil || biasFull!.count == size else {
                throw KernelError("scale \(scale.shape) or bias do not broadcast to \(normalizedShape)")
            }
            let out = Tensor(dataType: .float32, shape: x.shape)
            let statsShape = Array(x.shape[..<a]) + Array(repeating: 1, count: x.rank - a)
            let meanOut = Tensor(dataType: .float32, shape: statsShape), invOut = Tensor(dataType: .float32, shape: statsShape)
            let xp = x.storage.bytes.assumingMemoryBound(to: Float.self), op = out.storage.bytes.assumingMemoryBound(to: Float.self)
            let sp = scaleFull.storage.bytes.assumingMemoryBound(to: Float.self)
            let bp = biasFull?.storage.bytes.assumingMemoryBound(to: Float.self)
            let mp = meanOut.storage.bytes.assumingMemoryBound(to: Float.self), ip = invOut.storage.bytes.assumingMemoryBound(to: Float.self)
            let eps = epsilon
            context.parallelFor(rows) { range in
                for r in range {
                    let row = xp + r * size
                    var sum: Float = 0
                    for i in 0..<size { sum += row[i] }
                    let mean = sum / Float(size)
                    var sq: Float = 0
                    for i in 0..<size { let d = row[i] - mean; sq += d * d }
                    let inv = 1 / (sq / Float(size) + eps).squareRoot()
                    mp[r] = mean; ip[r] = inv
                    for i in 0..<size { op[r * size + i] = (row[i] - mean) * inv * sp[i] + (bp?[i] ?? 0) }
                }
            }
            return [out, meanOut, invOut]
        }
    }
}
