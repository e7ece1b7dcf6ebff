import FerryIR

/// GatherElements: out[i][j][k] = data[index[i][j][k]][j][k] (for axis 0), any rank.
struct GatherElements: Operator {
    static let opType = "GatherElements"
    let axis: Int

    init(_ node: NodeContext) throws { axis = try node.int("axis", default: 0) }

    func run(_ inputs: [Tensor?], _ context: ExecutionContext) throws -> [Tensor] {
        let data = try inputs.required(0), indices = try inputs.required(1)
        let a = try Axis.normalize(axis, rank: data.rank)
        guard indices.rank == data.rank else { throw KernelError("indices rank \(indices.rank) differs from data rank \(data.rank)") }
        for d in 0..<data.rank where d != a && indices.shape[d] > data.shape[d] {
            throw KernelError("indices \(indices.shape) exceed data \(data.shape) on axis \(d)")
        }
        let size = data.shape[a]
        let dataStrides = Tensor.strides(of: data.shape)
        let values = indices.integers()
        var sources = [Int](repeating: 0, count: values.count)
        var index = [Int](repeating: 0, count: indices.rank)
        for i in 0..<values.count {
            var pick = values[i]
            if pick < 0 { pick += size }
            guard pick >= 0 && pick < size else { throw KernelError("index \(values[i]) is out of range for axis \(a) of size \(size)") }
            var offset = 0
            for axis in 0..<index.count { offset += (axis == a ? pick : index[axis]) * dataStrides[axis] }
            sources[i] = offset
            var axis = index.count - 1
            while axis >= 0 {
                index[axis] += 1
                if index[axis] < indices.shape[axis] { break }
                index[axis] = 0
                axis -= 1
            }
        }
        return [data.gathering(sources, shape: indices.shape)]
    }
}
