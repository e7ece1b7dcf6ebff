import FerryIR

/// IntegerMean (`ai.ferry`): int8 mean over the spatial axes of an N×C×H×W tensor (global
/// average pooling; keepdims), as TFLite's reference_integer_ops::Mean computes it: the sum
/// of (x − zx) requantized by sx/sy, divided by the count rounding half away from zero.
struct IntegerMean: Operator {
    static let opType = "IntegerMean"
    static let domain = "ai.ferry"
    let x: IntegerTensorParams
    let y: IntegerTensorParams
    let scale: Requantizer

    init(_ node: NodeContext) throws {
        x = try IntegerTensorParams(node, "x")
        y = try IntegerTensorParams(node, "y")
        scale = Requantizer(Double(x.scale) / Double(y.scale), try node.rounding())
    }

    func run(_ inputs: [Tensor?], _ context: ExecutionContext) throws -> [Tensor] {
        let input = try inputs.required(0)
        guard input.dataType == .int8, input.rank >= 3 else { throw KernelError("expects an int8 N×C×spatial input, got \(input.dataType)\(input.shape)") }
        let planes = input.shape[0] * input.shape[1]
        let size = input.count / Swift.max(planes, 1)
        let out = Tensor(dataType: .int8, shape: [input.shape[0], input.shape[1]] + Array(repeating: 1, count: input.rank - 2), zeroed: false)
        let xp = UnsafePointer(input.storage.bytes.assumingMemoryBound(to: Int8.self))
        let op = out.storage.bytes.assumingMemoryBound(to: Int8.self)
        let (zx, zy, s, count) = (x.zeroPoint, y.zeroPoint, scale, Int32(size))
        context.parallelFor(planes) { range in
            for plane in range {
                var acc: Int32 = 0
                for i in 0..<size { acc += Int32(xp[plane * size + i]) - zx }
                acc = s.apply(acc)
                acc = acc > 0 ? (acc + count / 2) / count : (acc - count / 2) / count
                op[plane] = Int8(Swift.min(127, Swift.max(-128, acc + zy)))
            }
        }
        return [out]
    }
}
