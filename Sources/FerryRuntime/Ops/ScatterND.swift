import FerryIR

/// ScatterND: writes update slices into a copy of data at N-D index tuples.
struct ScatterND: Operator {
    static let opType = "ScatterND"
    let reduction: String

    init(_ node: NodeContext) throws {
        reduction = try node.string("reduction", default: "none")
        guard ["none", "add", "mul", "max", "min"].contains(reduction) else { throw node.invalid("reduction", "'\(reduction)' is not none, add, mul, max or min") }
    }

    func run(_ inputs: [Tensor?], _ context: ExecutionContext) throws -> [Tensor] {
        let data = try inputs.required(0), indices = try inputs.required(1), updates = try inputs.required(2)
        let k = indices.shape.last ?? 0
        guard k <= data.rank else { throw KernelError("index tuples of length \(k) exceed data rank \(data.rank)") }
        let strides = Tensor.strides(of: data.shape)
        let block = data.shape[k...].reduce(1, *)
        let values = indices.integers()
        let count = values.count / max(k, 1)
        let targets = try (0..<count).map { i -> Int in
            var offset = 0
            for d in 0..<k {
                var v = values[i * k + d]
                if v < 0 { v += data.shape[d] }
                guard v >= 0 && v < data.shape[d] else { throw KernelError("index \(values[i * k + d]) is out of range for axis \(d)") }
                offset += v * strides[d]
            }
            return offset
        }
        guard updates.count == targets.count * block, updates.dataType == data.dataType else {
            throw KernelError("updates \(updates.dataType)\(updates.shape) do not hold \(targets.count) slices of \(block) \(data.dataType) values")
        }
        return [try Scatter.apply(data, targets: targets, updates: updates, reduction: reduction, block: block)]
    }
}
