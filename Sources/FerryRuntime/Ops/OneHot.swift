import FerryIR

/// OneHot: on_value where the index matches, off_value elsewhere, along a new axis of size depth.
struct OneHot: Operator {
    static let opType = "OneHot"
    static let shapeDependsOnValues: [Int] = [1]
    let axis: Int

    init(_ node: NodeContext) throws { axis = try node.int("axis", default: -1) }

    func run(_ inputs: [Tensor?], _ context: ExecutionContext) throws -> [Tensor] {
        let indices = try inputs.required(0).doubles().map { Int($0) }
        let shape = try inputs.required(0).shape
        let depth = Int(try inputs.required(1).doubles()[0])
        let values = try inputs.required(2)
        guard values.count == 2 else { throw KernelError("values must hold [off_value, on_value]") }
        let rank = shape.count + 1
        try ShapeCheck.count(shape + [depth])
        let a = try Axis.normalize(axis, rank: rank)
        let outer = shape[..<a].reduce(1, *), inner = shape[a...].reduce(1, *)
        var sources = [Int](repeating: 0, count: outer * depth * inner)
        for o in 0..<outer {
            for d in 0..<depth {
                for i in 0..<inner {
                    var index = indices[o * inner + i]
                    if index < 0 { index += depth }
                    sources[(o * depth + d) * inner + i] = index == d ? 1 : 0
                }
            }
        }
        return [values.gathering(sources, shape: Array(shape[..<a]) + [depth] + Array(shape[a...]))]
    }
}
