import FerryIR

/// Gather: picks slices of `data` along `axis` by (possibly negative) indices.
struct Gather: Operator {
    static let opType = "Gather"
    let axis: Int

    init(_ node: NodeContext) throws { axis = try node.int("axis", default: 0) }

    func run(_ inputs: [Tensor?], _ context: ExecutionContext) throws -> [Tensor] {
        let data = try inputs.required(0), indices = try inputs.required(1)
        let a = try Axis.normalize(axis, rank: data.rank)
        let size = data.shape[a]
        let picks = try indices.integers().map { index -> Int in
            let resolved = index < 0 ? index + size : index
            guard resolved >= 0 && resolved < size else { throw KernelError("index \(index) is out of range for axis \(a) of size \(size)") }
            return resolved
        }
        let outer = data.shape[..<a].reduce(1, *)
        let inner = data.shape[(a + 1)...].reduce(1, *)
        let shape = Array(data.shape[..<a]) + indices.shape + Array(data.shape[(a + 1)...])
        let out = Tensor(dataType: data.dataType, shape: shape)
        for o in 0..<outer {
            for (j, pick) in picks.enumerated() {
                data.copyElements(from: (o * size + pick) * inner, into: out, at: (o * picks.count + j) * inner, count: inner)
            }
        }
        return [out]
    }
}
