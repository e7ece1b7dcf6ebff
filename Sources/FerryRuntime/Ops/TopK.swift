import FerryIR

/// TopK: the k largest (or smallest) elements along axis and their int64 indices; ties keep
/// the lower index first.
struct TopK: Operator {
    static let opType = "TopK"
    static let shapeDependsOnValues: [Int] = [1]
    let axis: Int
    let largest: Bool
    let attributeK: Int?

    init(_ node: NodeContext) throws {
        axis = try node.int("axis", default: -1)
        largest = try node.int("largest", default: 1) != 0
        node.ignore("sorted")
        attributeK = node.opset < 10 ? try node.intIfPresent("k") : nil
    }

    func run(_ inputs: [Tensor?], _ context: ExecutionContext) throws -> [Tensor] {
        let x = try inputs.required(0)
        let k = try attributeK ?? inputs.required(1).integers().first ?? 0
        let a = try Axis.normalize(axis, rank: x.rank)
        let outer = x.shape[..<a].reduce(1, *), length = x.shape[a], inner = x.shape[(a + 1)...].reduce(1, *)
        guard k >= 0 && k <= length else { throw KernelError("k = \(k) is outside 0…\(length)") }
        let values = x.doubles()
        var sources: [Int] = []
        var indices: [Int64] = []
        sources.reserveCapacity(outer * k * inner)
        var picked = [[Int]](repeating: [], count: outer * inner)
        for o in 0..<outer {
            for i in 0..<inner {
                let order = (0..<length).sorted { p, q in
                    let vp = values[(o * length + p) * inner + i], vq = values[(o * length + q) * inner + i]
                    if vp == vq || (vp.isNaN && vq.isNaN) { return p < q }
                    if vp.isNaN { return largest }
                    if vq.isNaN { return !largest }
                    return largest ? vp > vq : vp < vq
                }
                picked[o * inner + i] = Array(order.prefix(k))
            }
        }
        for o in 0..<outer {
            for j in 0..<k {
                for i in 0..<inner {
                    let p = picked[o * inner + i][j]
                    sources.append((o * length + p) * inner + i)
                    indices.append(Int64(p))
                }
            }
        }
        var shape = x.shape
        shape[a] = k
        return [x.gathering(sources, shape: shape), Tensor(shape: shape, values: indices)]
    }
}
