import FerryIR

/// Tile: repeats the input along each axis.
struct Tile: Operator {
    static let opType = "Tile"
    static let shapeDependsOnValues: [Int] = [1]

    init(_ node: NodeContext) throws {}

    func run(_ inputs: [Tensor?], _ context: ExecutionContext) throws -> [Tensor] {
        let x = try inputs.required(0)
        let repeats = try inputs.required(1).integers()
        guard repeats.count == x.rank, repeats.allSatisfy({ $0 >= 0 }) else {
            throw KernelError("repeats \(repeats) must have one non-negative entry per axis of \(x.shape)")
        }
        try ShapeCheck.count(repeats)
        let shape = zip(x.shape, repeats).map { $0.multipliedReportingOverflow(by: $1).overflow ? -1 : $0 * $1 }
        try ShapeCheck.count(shape)
        let inStrides = Tensor.strides(of: x.shape)
        let count = shape.reduce(1, *)
        var sources = [Int](repeating: 0, count: count)
        var index = [Int](repeating: 0, count: shape.count)
        for i in 0..<count {
            var offset = 0
            for axis in 0..<shape.count { offset += (index[axis] % x.shape[axis]) * inStrides[axis] }
            sources[i] = offset
            var axis = shape.count - 1
            while axis >= 0 {
                index[axis] += 1
                if index[axis] < shape[axis] { break }
                index[axis] = 0
                axis -= 1
            }
        }
        return [x.gathering(sources, shape: shape)]
    }
}
