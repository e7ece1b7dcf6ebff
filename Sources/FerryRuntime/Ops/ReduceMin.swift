import FerryIR

/// ReduceMin: the minimum over the given axes (all when none), keeping them as 1 unless keepdims=0.
struct ReduceMin: Operator {
    static let opType = "ReduceMin"
    static let shapeDependsOnValues: [Int] = [1]
    let attributes: Reduction.Attributes

    init(_ node: NodeContext) throws { attributes = try Reduction.Attributes(node, inputSince: 18) }

    func run(_ inputs: [Tensor?], _ context: ExecutionContext) throws -> [Tensor] {
        let x = try inputs.required(0)
        return [try Reduction.run(x, axes: attributes.axes(inputs, rank: x.rank), keepDims: attributes.keepDims, kind: .min)]
    }
}
