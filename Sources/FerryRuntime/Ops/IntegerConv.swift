import CFerryKernels
import FerryIR

/// IntegerConv (`ai.ferry`): int8 2-D convolution with per-channel int8 weights and int32 bias,
/// requantized as TFLite's reference `ConvPerChannel` (and depthwise) kernels do; with an int16
/// input, the 16×8 form (int64 bias and sums, zero points 0). Written by the
/// integer lowering from a QDQ Conv; attributes carry the quantization parameters.
struct IntegerConv: Operator {
    static let opType = "IntegerConv"
    static let domain = "ai.ferry"
    let window: WindowAttributes
    let group: Int
    let requantization: PerChannelRequantization

    init(_ node: NodeContext) throws {
        window = try WindowAttributes(node)
        group = try node.int("group", default: 1)
        guard group >= 1 else { throw node.invalid("group", "must be positive, got \(group)") }
        requantization = try PerChannelRequantization(node)
    }

    func run(_ inputs: [Tensor?], _ context: ExecutionContext) throws -> [Tensor] {
        let x = try inputs.required(0), w = try inputs.required(1), bias = inputs.optional(2)
        if x.dataType == .int16 { return [try run16x8(x, w, bias, context)] }
        guard x.dataType == .int8, w.dataType == .int8, bias == nil || bias!.dataType == .int32 else {
            throw KernelError("expects int8 input and weight and int32 bias, got \(x.dataType), \(w.dataType)")
        }
        guard x.rank == 4, w.rank == 4, x.shape[1] == w.shape[1] * group, w.shape[0] % group == 0 else {
            throw KernelError("input \(x.shape) and weight \(w.shape) do not fit \(group) groups")
        }
        let m = w.shape[0]
        let q = requantization
        let (mult, shift) = try q.perChannel(m)
        let (lo, hi) = q.clamp(for: .int8)
        if let bias, bias.count != m { throw KernelError("bias has \(bias.count) values for \(m) channels") }
        let g = try window.resolve(input: Array(x.shape[2...]), kernel: Array(w.shape[2...]))
        let (n, c, h, wd) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let (oh, ow) = (g.output[0], g.output[1])
        let out = Tensor(dataType: .int8, shape: [n, m, oh, ow], zeroed: false)
        let xp = UnsafePointer(x.storage.bytes.assumingMemoryBound(to: Int8.self))
        let wp = UnsafePointer(w.storage.bytes.assumingMemoryBound(to: Int8.self))
        let bp = bias.map { UnsafePointer($0.storage.bytes.assumingMemoryBound(to: Int32.self)) }
        let op = out.storage.bytes.assumingMemoryBound(to: Int8.self)
        if group == 1 {
            // One im2col per image, then an int8 product per block of output channels.
            let (kh, kw) = (g.kernel[0], g.kernel[1])
            let k = c * kh * kw, p = oh * ow
            let direct = kh == 1 && kw == 1 && g.strides == [1, 1] && g.padBegin == [0, 0] && oh == h && ow == wd
            var col = [Int8](repeating: 0, count: direct ? 0 : k * p)
            mult.withUnsafeBufferPointer { mp in
                shift.withUnsafeBufferPointer { sp in
                    col.withUnsafeMutableBufferPointer { cp in
                        for b in 0..<n {
                            let image = xp + b * c * h * wd
                            let columns: UnsafePointer<Int8>
                            if direct {
                                columns = image
                            } else if let base = cp.baseAddress {
                                ferry_qim2col_s8(image, base, Int32(c), Int32(h), Int32(wd), Int32(kh), Int32(kw),
                                                 Int32(g.padBegin[0]), Int32(g.padBegin[1]), Int32(g.strides[0]), Int32(g.strides[1]),
                                                 Int32(g.dilations[0]), Int32(g.dilations[1]), Int32(oh), Int32(ow), Int8(truncatingIfNeeded: q.input.zeroPoint))
                                columns = UnsafePointer(base)
                            } else {
                                continue  // an empty output: nothing to compute
                            }
                            context.parallelFor(m) { channels in
                                ferry_qgemm_requant_s8(wp, columns, bp, op + b * m * p, Int32(k), Int32(p), -q.input.zeroPoint, q.output.zeroPoint,
                                                       mp.baseAddress, sp.baseAddress, lo, hi, q.single,
                                                       Int32(channels.lowerBound), Int32(channels.upperBound))
                            }
                        }
                    }
                }
            }
            return [out]
        }
        if group == c && w.shape[1] == 1 {
            mult.withUnsafeBufferPointer { mp in
                shift.withUnsafeBufferPointer { sp in
                    for b in 0..<n {
                        context.parallelFor(m) { channels in
                            ferry_qdepthwise_s8(xp + b * c * h * wd, wp, bp, op + b * m * oh * ow, Int32(c), Int32(h), Int32(wd), Int32(m / c),
                                                Int32(g.kernel[0]), Int32(g.kernel[1]), Int32(g.padBegin[0]), Int32(g.padBegin[1]),
                                                Int32(g.strides[0]), Int32(g.strides[1]), Int32(g.dilations[0]), Int32(g.dilations[1]),
                                                Int32(oh), Int32(ow), -q.input.zeroPoint, q.output.zeroPoint, mp.baseAddress, sp.baseAddress,
                                                lo, hi, q.single,
                                                Int32(channels.lowerBound), Int32(channels.upperBound))
                        }
                    }
                }
            }
            return [out]
        }
        mult.withUnsafeBufferPointer { mp in
            shift.withUnsafeBufferPointer { sp in
                for b in 0..<n {
                    context.parallelFor(m) { channels in
                        ferry_qconv2d_s8(xp + b * c * h * wd, wp, bp, op + b * m * oh * ow, Int32(c), Int32(h), Int32(wd), Int32(m), Int32(group),
                                         Int32(g.kernel[0]), Int32(g.kernel[1]), Int32(g.padBegin[0]), Int32(g.padBegin[1]),
                                         Int32(g.strides[0]), Int32(g.strides[1]), Int32(g.dilations[0]), Int32(g.dilations[1]),
                                         Int32(oh), Int32(ow), -q.input.zeroPoint, q.output.zeroPoint, mp.baseAddress, sp.baseAddress,
                                         lo, hi, q.single,
                                         Int32(channels.lowerBound), Int32(channels.upperBound))
                    }
                }
            }
        }
        return [out]
    }

    /// 16×8: int16 input and output (zero point 0), int8 weights, int64 sums.
    private func run16x8(_ x: Tensor, _ w: Tensor, _ bias: Tensor?, _ context: ExecutionContext) throws -> Tensor {
        guard w.dataType == .int8, x.rank == 4, w.rank == 4, x.shape[1] == w.shape[1] * group, w.shape[0] % group == 0 else {
            throw KernelError("16×8 expects an int8 weight fitting \(group) groups, got \(w.dataType)\(w.shape) for input \(x.shape)")
        }
        let q = requantization
        guard q.input.zeroPoint == 0, q.output.zeroPoint == 0 else { throw KernelError("16×8 needs zero points 0 (symmetric int16)") }
        let m = w.shape[0]
        let (mult, shift) = try q.perChannel(m)
        let bias64 = try PerChannelRequantization.bias64(bias, channels: m)
        let g = try window.resolve(input: Array(x.shape[2...]), kernel: Array(w.shape[2...]))
        let (n, c, h, wd) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let (oh, ow) = (g.output[0], g.output[1])
        let out = Tensor(dataType: .int16, shape: [n, m, oh, ow], zeroed: false)
        let xp = UnsafePointer(x.storage.bytes.assumingMemoryBound(to: Int16.self))
        let wp = UnsafePointer(w.storage.bytes.assumingMemoryBound(to: Int8.self))
        let op = out.storage.bytes.assumingMemoryBound(to: Int16.self)
        let (lo, hi) = q.clamp(for: .int16)
        let group = self.group
        mult.withUnsafeBufferPointer { mp in
            shift.withUnsafeBufferPointer { sp in
                (bias64 ?? []).withUnsafeBufferPointer { bp in
                    let biasPointer = bias64 == nil ? nil : bp.baseAddress
                    for b in 0..<n {
                        context.parallelFor(m) { channels in
                            ferry_qconv2d_s16(xp + b * c * h * wd, wp, biasPointer, op + b * m * oh * ow, Int32(c), Int32(h), Int32(wd), Int32(m), Int32(group),
                                              Int32(g.kernel[0]), Int32(g.kernel[1]), Int32(g.padBegin[0]), Int32(g.padBegin[1]),
                                              Int32(g.strides[0]), Int32(g.strides[1]), Int32(g.dilations[0]), Int32(g.dilations[1]),
                                              Int32(oh), Int32(ow), mp.baseAddress, sp.baseAddress, lo, hi,
                                              Int32(channels.lowerBound), Int32(channels.upperBound))
                        }
                    }
                }
            }
        }
        return out
    }
}
