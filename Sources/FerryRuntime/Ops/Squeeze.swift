import FerryIR

/// Squeeze: removes size-1 axes (the listed ones, or all); the axes are an attribute before
/// opset 13 and an input from then on.
struct Squeeze: Operator {
    static let opType = "Squeeze"
    static let shapeDependsOnValues: [Int] = [1]
    let attributeAxes: [Int]?

    init(_ node: NodeContext) throws { attributeAxes = node.opset < 13 ? try node.ints("axes") : nil }

    func run(_ inputs: [Tensor?], _ context: ExecutionContext) throws -> [Tensor] {
        let x = try inputs.required(0)
        let axes = try (attributeAxes ?? inputs.optional(1)?.integers()).map { try $0.map { try Axis.normalize($0, rank: x.rank) } }
        var shape: [Int] = []
        for (axis, size) in x.shape.enumerated() {
            if let axes {
                if axes.contains(axis) {
                    guard size == 1 else { throw KernelError("cannot squeeze axis \(axis) of size \(size)") }
                    continue
                }
            } else if size == 1 { continue }
            shape.append(size)
        }
        return [x.reshaped(shape)]
    }
}
