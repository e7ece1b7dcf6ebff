import FerryIR

/// Upsample (deprecated since opset 10): nearest or linear scaling with asymmetric coordinates;
/// scales are an attribute in opset 7 and an input from 9.
struct Upsample: Operator {
    static let opType = "Upsample"
    static let shapeDependsOnValues: [Int] = [1]
    let interpolation: Interpolation
    let attributeScales: [Float]?

    init(_ node: NodeContext) throws {
        let modeName = try node.string("mode", default: "nearest")
        let mode: Interpolation.Mode = modeName == "nearest" ? .nearest : (modeName == "linear" || modeName == "bilinear" ? .linear : .cubic)
        guard modeName == "nearest" || mode == .linear else { throw node.invalid("mode", "must be nearest or linear, not '\(modeName)'") }
        interpolation = Interpolation(mode: mode, coordinates: .asymmetric, nearest: .floor, cubicA: -0.75,
                                      excludeOutside: false, extrapolation: 0, antialias: false)
        attributeScales = try node.floats("scales")
    }

    func run(_ inputs: [Tensor?], _ context: ExecutionContext) throws -> [Tensor] {
        let x = try inputs.required(0)
        let scales = try attributeScales.map { $0.map(Double.init) } ?? inputs.required(1).doubles()
        guard scales.count == x.rank else { throw KernelError("scales has \(scales.count) entries for rank \(x.rank)") }
        let sizes = zip(x.shape, scales).map { (Double($0) * $1).rounded(.down) }
        guard sizes.allSatisfy({ $0.isFinite && $0 >= 0 && $0 < Double(ShapeCheck.maximumElements) }) else { throw KernelError("scales \(scales) are out of range") }
        let outShape = sizes.map { Int($0) }
        try ShapeCheck.count(outShape)
        let result = interpolation.resize(x.doubles(), shape: x.shape, outShape: outShape, scales: scales,
                                          roi: Array(repeating: (0, 1), count: x.rank))
        return [try Reduction.typed(result, shape: outShape, like: x)]
    }
}
