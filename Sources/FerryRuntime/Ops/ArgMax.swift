import FerryIR

/// ArgMax: the index of the largest element along axis (first or last on ties), as int64.
struct ArgMax: Operator {
    static let opType = "ArgMax"
    let attributes: ArgExtreme.Attributes

    init(_ node: NodeContext) throws { attributes = try ArgExtreme.Attributes(node) }

    func run(_ inputs: [Tensor?], _ context: ExecutionContext) throws -> [Tensor] {
        [try ArgExtreme.run(inputs.required(0), attributes, largest: true)]
    }
}

/// The shared ArgMax/ArgMin kernel.
enum ArgExtreme {
    struct Attributes {
        let axis: Int
        let keepDims: Bool
        let selectLast: Bool
        init(_ node: NodeContext) throws {
            axis = try node.int("axis", default: 0)
            keepDims = try node.int("keepdims", default: 1) != 0
            selectLast = try node.int("select_last_index", default: 0) != 0
        }
    }

    static func run(_ x: Tensor, _ attributes: Attributes, largest: Bool) throws -> Tensor {
        let a = try Axis.normalize(attributes.axis, rank: x.rank)
        let outer = x.shape[..<a].reduce(1, *), length = x.shape[a], inner = x.shape[(a + 1)...].reduce(1, *)
        guard length > 0 else { throw KernelError("cannot take an arg-extreme over empty axis \(a)") }
        let values = x.doubles()
        var result = [Int64](repeating: 0, count: outer * inner)
        for o in 0..<outer {
            for i in 0..<inner {
                var best = values[o * length * inner + i], bestIndex = 0
                for j in 1..<max(length, 1) {
                    let v = values[(o * length + j) * inner + i]
                    let better = largest ? v > best : v < best
                    if better || (attributes.selectLast && v == best) { best = v; bestIndex = j }
                }
                result[o * inner + i] = Int64(bestIndex)
            }
        }
        var shape = x.shape
        if attributes.keepDims { shape[a] = 1 } else { shape.remove(at: a) }
        return Tensor(shape: shape, values: result)
    }
}
