import FerryIR

/// NonZero: the indices of non-zero elements, one row per axis, in row-major order.
struct NonZero: Operator {
    static let opType = "NonZero"
    static let shapeDependsOnValues: [Int] = [0]

    init(_ node: NodeContext) throws {}

    func run(_ inputs: [Tensor?], _ context: ExecutionContext) throws -> [Tensor] {
        let x = try inputs.required(0)
        let values = x.doubles()
        let strides = Tensor.strides(of: x.shape)
        let hits = values.indices.filter { values[$0] != 0 }
        let rank = max(x.rank, 1)
        var out = [Int64](repeating: 0, count: rank * hits.count)
        for (j, flat) in hits.enumerated() {
            for axis in 0..<x.rank { out[axis * hits.count + j] = Int64((flat / strides[axis]) % x.shape[axis]) }
        }
        return [Tensor(shape: [x.rank, hits.count], values: Array(out.prefix(x.rank * hits.count)))]
    }
}
