import FerryIR

/// GatherND: gathers slices of data addressed by N-D index tuples, after batch_dims leading axes.
struct GatherND: Operator {
    static let opType = "GatherND"
    let batchDims: Int

    init(_ node: NodeContext) throws { batchDims = try node.int("batch_dims", default: 0) }

    func run(_ inputs: [Tensor?], _ context: ExecutionContext) throws -> [Tensor] {
        let data = try inputs.required(0), indices = try inputs.required(1)
        let k = indices.shape.last ?? 0, b = batchDims
        guard b + k <= data.rank else { throw KernelError("batch_dims \(b) plus tuple length \(k) exceed data rank \(data.rank)") }
        guard b <= indices.rank - 1, Array(indices.shape[..<b]) == Array(data.shape[..<b]) else {
            throw KernelError("the first \(b) dims of indices \(indices.shape) and data \(data.shape) must match")
        }
        let batch = data.shape[..<b].reduce(1, *)
        let block = data.shape[(b + k)...].reduce(1, *)
        let perBatchData = data.shape[b...].reduce(1, *)
        let tuples = indices.count / max(k, 1) / max(batch, 1)
        let strides = Tensor.strides(of: Array(data.shape[b...]))
        let values = indices.integers()
        var sources: [Int] = []
        sources.reserveCapacity(batch * tuples * block)
        for bi in 0..<batch {
            for t in 0..<tuples {
                var offset = bi * perBatchData
                for d in 0..<k {
                    var v = values[(bi * tuples + t) * k + d]
                    let size = data.shape[b + d]
                    if v < 0 { v += size }
                    guard v >= 0 && v < size else { throw KernelError("index \(values[(bi * tuples + t) * k + d]) is out of range for axis \(b + d)") }
                    offset += v * strides[d]
                }
                for j in 0..<block { sources.append(offset + j) }
            }
        }
        let shape = Array(indices.shape.dropLast()) + Array(data.shape[(b + k)...])
        return [data.gathering(sources, shape: shape)]
    }
}
