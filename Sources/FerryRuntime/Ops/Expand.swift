import FerryIR

/// Expand: broadcasts the input to a shape (itself broadcast with the input's shape).
struct Expand: Operator {
    static let opType = "Expand"
    static let shapeDependsOnValues: [Int] = [1]

    init(_ node: NodeContext) throws {}

    func run(_ inputs: [Tensor?], _ context: ExecutionContext) throws -> [Tensor] {
        let x = try inputs.required(0)
        let requested = try inputs.required(1).integers()
        try ShapeCheck.count(requested)
        let shape = try Broadcast.checkedShape([x.shape, requested])
        try ShapeCheck.count(shape)
        return [Expand.broadcast(x, to: shape)]
    }

    /// `x` materialized at the broadcast shape `shape`.
    static func broadcast(_ x: Tensor, to shape: [Int]) -> Tensor {
        if x.shape == shape { return x }
        let strides = Broadcast.strides(of: x.shape, in: shape)
        let sources = Tensor.stridedSources(shape: shape, strides: strides)
        return x.gathering(sources, shape: shape)
    }
}
