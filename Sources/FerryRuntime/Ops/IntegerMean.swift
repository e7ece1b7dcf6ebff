import FerryIR

/// IntegerMean (`ai.ferry`): int8 or int16 mean over `axes` (default: every axis after the first two,
/// global average pooling) keeping them as size 1 (or dropping them with keepdims=0), as
/// TFLite's reference integer Mean computes it: the sum of the raw values less count × zx,
/// requantized by the multiplier of sx/sy divided by the count (the Q31 multiplier shifted
/// left by ⌊log₂ count⌋ and divided by the count, the shift lowered to match), plus zy.
struct IntegerMean: Operator {
    static let opType = "IntegerMean"
    static let domain = "ai.ferry"
    let x: IntegerTensorParams
    let y: IntegerTensorParams
    let axes: [Int]?
    let keepDims: Bool

    let rounding: IntegerRounding

    init(_ node: NodeContext) throws {
        x = try IntegerTensorParams(node, "x")
        y = try IntegerTensorParams(node, "y")
        axes = try node.ints("axes")
        keepDims = try node.int("keepdims", default: 1) != 0
        rounding = try node.rounding()
    }

    /// The requantizer of sx/sy ÷ count.
    func divider(count: Int) -> Requantizer {
        let base = Requantizer(Double(x.scale) / Double(y.scale), rounding)
        guard count > 0 else { return base }
        let divisionShift = Swift.min(Int(Int32(count).bitWidth - Int32(count).leadingZeroBitCount - 1), 32, 31 + Int(base.shift))
        let multiplier = Int32((Int64(base.multiplier) << Int64(divisionShift)) / Int64(count))
        return Requantizer(multiplier: multiplier, shift: base.shift - Int32(divisionShift), rounding: rounding)
    }

    func run(_ inputs: [Tensor?], _ context: ExecutionContext) throws -> [Tensor] {
        let input = try inputs.required(0)
        guard input.dataType == .int8 || input.dataType == .int16, input.rank >= 1 else {
            throw KernelError("expects an int8 or int16 input, got \(input.dataType)\(input.shape)")
        }
        return [input.dataType == .int8 ? try mean(input, Int8.self) : try mean(input, Int16.self)]
    }

    private func mean<T: FixedWidthInteger & TensorElement>(_ input: Tensor, _: T.Type) throws -> Tensor {
        let rank = input.rank
        let reduced = Set((axes ?? Array(2..<Swift.max(rank, 2))).map { $0 < 0 ? $0 + rank : $0 })
        guard reduced.allSatisfy({ (0..<rank).contains($0) }) else { throw KernelError("axes \(axes ?? []) out of range for rank \(rank)") }
        let strides = Tensor.strides(of: input.shape)
        let kept = (0..<rank).filter { !reduced.contains($0) }
        // Offsets of every reduced element relative to its output's first element.
        var offsets = [0]
        for axis in reduced.sorted() {
            offsets = offsets.flatMap { base in (0..<input.shape[axis]).map { base + $0 * strides[axis] } }
        }
        let outShape = keepDims ? input.shape.enumerated().map { reduced.contains($0.offset) ? 1 : $0.element } : kept.map { input.shape[$0] }
        let out = Tensor(dataType: T.dataType, shape: outShape, zeroed: false)
        let keptShape = kept.map { input.shape[$0] }
        let outputs = keptShape.reduce(1, *)
        var bases = [Int](repeating: 0, count: outputs)
        var index = [Int](repeating: 0, count: kept.count)
        for o in 0..<outputs {
            bases[o] = zip(index, kept).reduce(0) { $0 + $1.0 * strides[$1.1] }
            var axis = kept.count - 1
            while axis >= 0 {
                index[axis] += 1
                if index[axis] < keptShape[axis] { break }
                index[axis] = 0
                axis -= 1
            }
        }
        let xp = UnsafePointer(input.storage.bytes.assumingMemoryBound(to: T.self))
        let op = out.storage.bytes.assumingMemoryBound(to: T.self)
        let requantizer = divider(count: offsets.count)
        let correction = -Int32(offsets.count) * x.zeroPoint
        for o in 0..<outputs {
            var sum: Int32 = 0
            for offset in offsets { sum &+= Int32(xp[bases[o] + offset]) }
            let value = requantizer.apply(sum &+ correction) + y.zeroPoint
            op[o] = T(Swift.max(Int32(T.min), Swift.min(Int32(T.max), value)))
        }
        return out
    }
}
