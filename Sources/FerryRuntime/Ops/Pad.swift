import FerryIR

/// Pad: pads each axis before and after, with a constant or by reflecting, repeating the edge
/// or wrapping around. Pads are an attribute before opset 11 and an input from then on.
struct Pad: Operator {
    static let opType = "Pad"
    static let shapeDependsOnValues: [Int] = [1, 3]
    enum Mode: String { case constant, reflect, edge, wrap }
    let mode: Mode
    let attributePads: [Int]?
    let attributeValue: Float

    init(_ node: NodeContext) throws {
        let name = try node.string("mode", default: "constant")
        guard let mode = Mode(rawValue: name) else { throw node.invalid("mode", "must be constant, reflect, edge or wrap, not '\(name)'") }
        self.mode = mode
        if node.opset < 11 {
            attributePads = try node.ints("pads") ?? node.ints("paddings")
            attributeValue = try node.float("value", default: 0)
        } else {
            attributePads = nil
            attributeValue = 0
        }
    }

    func run(_ inputs: [Tensor?], _ context: ExecutionContext) throws -> [Tensor] {
        let x = try inputs.required(0)
        let rank = x.rank
        var given = try attributePads ?? inputs.required(1).integers()
        if let axesTensor = inputs.optional(3) {
            let axes = try axesTensor.integers().map { try Axis.normalize($0, rank: rank) }
            guard given.count == 2 * axes.count else { throw KernelError("pads has \(given.count) entries for \(axes.count) axes") }
            var full = [Int](repeating: 0, count: 2 * rank)
            for (i, axis) in axes.enumerated() { full[axis] = given[i]; full[axis + rank] = given[i + axes.count] }
            given = full
        }
        guard given.count == 2 * rank else { throw KernelError("pads has \(given.count) entries; rank \(rank) needs \(2 * rank)") }
        let before = Array(given[..<rank]), after = Array(given[rank...])
        let shape = (0..<rank).map { x.shape[$0] + before[$0] + after[$0] }
        guard shape.allSatisfy({ $0 >= 0 }) else { throw KernelError("pads \(given) remove more than the input \(x.shape) has") }
        try ShapeCheck.count(shape)
        if mode != .constant {
            for axis in 0..<rank where x.shape[axis] == 0 && shape[axis] > 0 {
                throw KernelError("\(mode) padding needs a non-empty axis \(axis)")
            }
        }
        // Constant padding reads a sentinel slot holding the pad value, appended to the input.
        let constantTensor = inputs.optional(2)
        let inStrides = Tensor.strides(of: x.shape)
        let count = shape.reduce(1, *)
        let sentinel = x.count
        var sources = [Int](repeating: 0, count: count)
        var index = [Int](repeating: 0, count: rank)
        for i in 0..<count {
            var offset = 0
            var outside = false
            for axis in 0..<rank {
                let size = x.shape[axis]
                var j = index[axis] - before[axis]
                if j < 0 || j >= size {
                    switch mode {
                    case .constant: outside = true
                    case .edge: j = min(max(j, 0), size - 1)
                    case .wrap: j = ((j % size) + size) % size
                    case .reflect:
                        if size == 1 { j = 0 } else {
                            let period = 2 * (size - 1)
                            j = ((j % period) + period) % period
                            if j >= size { j = period - j }
                        }
                    }
                }
                if outside { break }
                offset += j * inStrides[axis]
            }
            sources[i] = outside ? sentinel : offset
            var axis = rank - 1
            while axis >= 0 {
                index[axis] += 1
                if index[axis] < shape[axis] { break }
                index[axis] = 0
                axis -= 1
            }
        }
        var extended = Tensor(dataType: x.dataType, shape: [x.count + 1])
        x.copyElements(from: 0, into: extended, at: 0, count: x.count)
        if let constantTensor, constantTensor.count > 0 {
            guard constantTensor.dataType == x.dataType else { throw KernelError("constant_value is \(constantTensor.dataType), input is \(x.dataType)") }
            constantTensor.copyElements(from: 0, into: extended, at: x.count, count: 1)
        } else if attributeValue != 0 {
            extended = try Pad.fill(extended, at: x.count, with: Double(attributeValue))
        }
        return [extended.gathering(sources, shape: shape)]
    }

    static func fill(_ tensor: Tensor, at index: Int, with value: Double) throws -> Tensor {
        guard let type = tensor.dataType.numericType else { throw KernelError("cannot pad \(tensor.dataType) with a number") }
        func open<T: NumericElement>(_: T.Type) { tensor.withMutableElements(as: T.self) { $0[index] = T(castingFrom: value) } }
        open(type)
        return tensor
    }
}
