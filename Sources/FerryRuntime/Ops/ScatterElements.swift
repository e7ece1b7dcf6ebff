import FerryIR

/// ScatterElements: copies `data`, then writes each update at its index along `axis`,
/// replacing or combining (add, mul, max, min) with what is there.
struct ScatterElements: Operator {
    static let opType = "ScatterElements"
    let axis: Int
    let reduction: String

    init(_ node: NodeContext) throws {
        axis = try node.int("axis", default: 0)
        reduction = try node.string("reduction", default: "none")
        guard ["none", "add", "mul", "max", "min"].contains(reduction) else { throw node.invalid("reduction", "'\(reduction)' is not none, add, mul, max or min") }
    }

    func run(_ inputs: [Tensor?], _ context: ExecutionContext) throws -> [Tensor] {
        let data = try inputs.required(0), indices = try inputs.required(1), updates = try inputs.required(2)
        let a = try Axis.normalize(axis, rank: data.rank)
        guard indices.shape == updates.shape, indices.rank == data.rank else { throw KernelError("indices \(indices.shape) and updates \(updates.shape) must match and have data's rank") }
        for d in 0..<data.rank where d != a && indices.shape[d] > data.shape[d] {
            throw KernelError("indices \(indices.shape) exceed data \(data.shape) on axis \(d)")
        }
        guard updates.dataType == data.dataType else { throw KernelError("updates are \(updates.dataType), data is \(data.dataType)") }
        let dataStrides = Tensor.strides(of: data.shape), idxStrides = Tensor.strides(of: indices.shape)
        let picks = indices.integers()
        let targets = try picks.indices.map { i -> Int in
            var pick = picks[i]
            if pick < 0 { pick += data.shape[a] }
            guard pick >= 0 && pick < data.shape[a] else { throw KernelError("index \(picks[i]) is out of range for axis \(a)") }
            var offset = 0
            for d in 0..<data.rank { offset += (d == a ? pick : (i / idxStrides[d]) % indices.shape[d]) * dataStrides[d] }
            return offset
        }
        return [try Scatter.apply(data, targets: targets, updates: updates, reduction: reduction, block: 1)]
    }
}

/// Writes updates into a copy of data at element (or block) offsets.
enum Scatter {
    static func apply(_ data: Tensor, targets: [Int], updates: Tensor, reduction: String, block: Int) throws -> Tensor {
        let out = data.copy()
        guard reduction != "none" else {
            for (i, target) in targets.enumerated() { updates.copyElements(from: i * block, into: out, at: target, count: block) }
            return out
        }
        guard let type = data.dataType.numericType, updates.dataType == data.dataType else { throw KernelError("reduction needs numeric data and updates of one type") }
        func open<T: NumericElement>(_: T.Type) {
            let u = updates.elements(as: T.self)
            out.withMutableElements(as: T.self) { o in
                for (i, target) in targets.enumerated() {
                    for j in 0..<block {
                        let old = o[target + j], new = u[i * block + j]
                        switch reduction {
                        case "add": o[target + j] = T.add(old, new)
                        case "mul": o[target + j] = T.multiply(old, new)
                        case "max": o[target + j] = max(old, new)
                        default: o[target + j] = min(old, new)
                        }
                    }
                }
            }
        }
        open(type)
        return out
    }
}
