import FerryIR

/// Flatten: to 2-D, joining the dimensions before `axis` and those from it.
struct Flatten: Operator {
    static let opType = "Flatten"
    let axis: Int

    init(_ node: NodeContext) throws { axis = try node.int("axis", default: 1) }

    func run(_ inputs: [Tensor?], _ context: ExecutionContext) throws -> [Tensor] {
        let x = try inputs.required(0)
        let a = axis < 0 ? axis + x.rank : axis
        guard a >= 0 && a <= x.rank else { throw KernelError("axis \(axis) is out of range for rank \(x.rank)") }
        let outer = x.shape[..<a].reduce(1, *)
        return [x.reshaped([outer, x.shape[a...].reduce(1, *)])]
    }
}
