import FerryIR

/// Unsqueeze: inserts size-1 axes at the given output positions; the axes are an attribute
/// before opset 13 and an input from then on.
struct Unsqueeze: Operator {
    static let opType = "Unsqueeze"
    static let shapeDependsOnValues: [Int] = [1]
    let attributeAxes: [Int]?

    init(_ node: NodeContext) throws { attributeAxes = node.opset < 13 ? try node.ints("axes") : nil }

    func run(_ inputs: [Tensor?], _ context: ExecutionContext) throws -> [Tensor] {
        let x = try inputs.required(0)
        let requested = try attributeAxes ?? inputs.required(1).integers()
        let rank = x.rank + requested.count
        let axes = Set(try requested.map { try Axis.normalize($0, rank: rank) })
        guard axes.count == requested.count else { throw KernelError("axes \(requested) repeat an axis") }
        var shape: [Int] = []
        var source = x.shape.makeIterator()
        for axis in 0..<rank { shape.append(axes.contains(axis) ? 1 : source.next()!) }
        return [x.reshaped(shape)]
    }
}
