import FerryIR

/// Split: cuts a tensor along `axis` into parts of the given sizes (an attribute before opset
/// 13, an input from then on) or into equal parts.
struct Split: Operator {
    static let opType = "Split"
    static let shapeDependsOnValues: [Int] = [1]
    let axis: Int
    let attributeSplit: [Int]?
    let outputCount: Int

    init(_ node: NodeContext) throws {
        axis = try node.int("axis", default: 0)
        attributeSplit = node.opset < 13 ? try node.ints("split") : nil
        let declared = try node.intIfPresent("num_outputs")
        outputCount = declared ?? node.node.outputs.count
    }

    func run(_ inputs: [Tensor?], _ context: ExecutionContext) throws -> [Tensor] {
        let x = try inputs.required(0)
        let a = try Axis.normalize(axis, rank: x.rank)
        let length = x.shape[a]
        var sizes: [Int]
        if let given = attributeSplit ?? inputs.optional(1)?.integers() {
            sizes = given
            guard sizes.reduce(0, +) == length, sizes.allSatisfy({ $0 >= 0 }) else {
                throw KernelError("split sizes \(sizes) do not add up to \(length), the size of axis \(a)")
            }
        } else {
            // Equal parts; with num_outputs the last part may be smaller.
            let part = (length + outputCount - 1) / outputCount
            sizes = (0..<outputCount).map { min(part, max(0, length - $0 * part)) }
        }
        let outer = x.shape[..<a].reduce(1, *)
        let inner = x.shape[(a + 1)...].reduce(1, *)
        var results: [Tensor] = []
        var start = 0
        for size in sizes {
            var shape = x.shape
            shape[a] = size
            let out = Tensor(dataType: x.dataType, shape: shape)
            for o in 0..<outer {
                x.copyElements(from: (o * length + start) * inner, into: out, at: o * size * inner, count: size * inner)
            }
            results.append(out)
            start += size
        }
        return results
    }
}
