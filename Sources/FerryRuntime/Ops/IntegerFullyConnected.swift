import CFerryKernels
import FerryIR

/// IntegerFullyConnected (`ai.ferry`): int8 × int8 (one weight row per output, per-channel
/// scales) plus int32 bias, requantized as TFLite's reference integer FullyConnected does.
/// The input is read as rows of the weight's depth (TFLite flattens leading dims).
struct IntegerFullyConnected: Operator {
    static let opType = "IntegerFullyConnected"
    static let domain = "ai.ferry"
    let requantization: PerChannelRequantization

    init(_ node: NodeContext) throws { requantization = try PerChannelRequantization(node) }

    func run(_ inputs: [Tensor?], _ context: ExecutionContext) throws -> [Tensor] {
        let x = try inputs.required(0), w = try inputs.required(1), bias = inputs.optional(2)
        if x.dataType == .int16 { return [try run16x8(x, w, bias, context)] }
        guard x.dataType == .int8, w.dataType == .int8, w.rank == 2 else {
            throw KernelError("expects int8 input and a 2-D int8 weight, got \(x.dataType) and \(w.dataType)\(w.shape)")
        }
        let outputs = w.shape[0], depth = w.shape[1]
        guard x.count % depth == 0, x.shape.last == depth else { throw KernelError("input \(x.shape) does not end in the weight depth \(depth)") }
        if let bias, bias.count != outputs || bias.dataType != .int32 { throw KernelError("bias should be \(outputs) int32 values") }
        let q = requantization
        let (mult, shift) = try q.perChannel(outputs)
        let (lo, hi) = q.clamp(for: .int8)
        let batches = x.count / depth
        let out = Tensor(dataType: .int8, shape: Array(x.shape.dropLast()) + [outputs], zeroed: false)
        let xp = UnsafePointer(x.storage.bytes.assumingMemoryBound(to: Int8.self))
        let wp = UnsafePointer(w.storage.bytes.assumingMemoryBound(to: Int8.self))
        let bp = bias.map { UnsafePointer($0.storage.bytes.assumingMemoryBound(to: Int32.self)) }
        let op = out.storage.bytes.assumingMemoryBound(to: Int8.self)
        mult.withUnsafeBufferPointer { mp in
            shift.withUnsafeBufferPointer { sp in
                context.parallelFor(batches) { rows in
                    ferry_qfully_connected_s8(xp, wp, bp, op, Int32(batches), Int32(depth), Int32(outputs), -q.input.zeroPoint, q.output.zeroPoint,
                                              mp.baseAddress, sp.baseAddress, lo, hi, q.single,
                                              Int32(rows.lowerBound), Int32(rows.upperBound))
                }
            }
        }
        return [out]
    }

    /// 16×8: int16 rows (zero point 0) × int8 weights plus int64 bias, requantized in floating
    /// point as LiteRT's int16 FULLY_CONNECTED does (its fixed-point multiplier is not used there).
    private func run16x8(_ x: Tensor, _ w: Tensor, _ bias: Tensor?, _ context: ExecutionContext) throws -> Tensor {
        guard w.dataType == .int8, w.rank == 2 else { throw KernelError("16×8 expects a 2-D int8 weight, got \(w.dataType)\(w.shape)") }
        let q = requantization
        guard q.input.zeroPoint == 0, q.output.zeroPoint == 0 else { throw KernelError("16×8 needs zero points 0 (symmetric int16)") }
        let outputs = w.shape[0], depth = w.shape[1]
        guard x.count % depth == 0, x.shape.last == depth else { throw KernelError("input \(x.shape) does not end in the weight depth \(depth)") }
        let weightScales = q.weightScales.count == outputs ? q.weightScales : Array(repeating: q.weightScales[0], count: outputs)
        guard q.weightScales.count == outputs || q.weightScales.count == 1 else {
            throw KernelError("\(q.weightScales.count) weight scales for \(outputs) outputs")
        }
        let scales = weightScales.map { Double(q.input.scale) * Double($0) / Double(q.output.scale) }
        let bias64 = try PerChannelRequantization.bias64(bias, channels: outputs)
        let batches = x.count / depth
        let out = Tensor(dataType: .int16, shape: Array(x.shape.dropLast()) + [outputs], zeroed: false)
        let xp = UnsafePointer(x.storage.bytes.assumingMemoryBound(to: Int16.self))
        let wp = UnsafePointer(w.storage.bytes.assumingMemoryBound(to: Int8.self))
        let op = out.storage.bytes.assumingMemoryBound(to: Int16.self)
        let (lo, hi) = q.clamp(for: .int16)
        scales.withUnsafeBufferPointer { sp in
            (bias64 ?? []).withUnsafeBufferPointer { bp in
                let biasPointer = bias64 == nil ? nil : bp.baseAddress
                context.parallelFor(batches) { rows in
                    ferry_qfully_connected_s16(xp, wp, biasPointer, op, Int32(depth), Int32(outputs), sp.baseAddress,
                                               lo, hi, Int32(rows.lowerBound), Int32(rows.upperBound))
                }
            }
        }
        return out
    }
}
