import FerryIR

/// Concat: joins tensors along `axis`.
struct Concat: Operator {
    static let opType = "Concat"
    let axis: Int

    init(_ node: NodeContext) throws {
        guard let axis = try node.intIfPresent("axis") else { throw node.invalid("axis", "is required") }
        self.axis = axis
    }

    func run(_ inputs: [Tensor?], _ context: ExecutionContext) throws -> [Tensor] {
        let parts = inputs.compactMap { $0 }
        guard let first = parts.first else { throw KernelError("needs at least one input") }
        let a = try Axis.normalize(axis, rank: first.rank)
        var shape = first.shape
        shape[a] = 0
        for part in parts {
            guard part.dataType == first.dataType else { throw KernelError("inputs mix \(first.dataType) and \(part.dataType)") }
            guard part.rank == first.rank, part.shape.enumerated().allSatisfy({ $0.offset == a || $0.element == first.shape[$0.offset] }) else {
                throw KernelError("input shapes \(parts.map(\.shape)) differ outside axis \(a)")
            }
            shape[a] += part.shape[a]
        }
        let out = Tensor(dataType: first.dataType, shape: shape)
        let outer = shape[..<a].reduce(1, *)
        let inner = shape[(a + 1)...].reduce(1, *)
        let outRow = shape[a] * inner
        var offset = 0
        for part in parts {
            let row = part.shape[a] * inner
            for o in 0..<outer { part.copyElements(from: o * row, into: out, at: o * outRow + offset, count: row) }
            offset += row
        }
        return [out]
    }
}
