import CFerryKernels
import FerryIR

/// The per-tensor float32 ⇄ integer case of QuantizeLinear and DequantizeLinear (every
/// activation of a QDQ model) as typed loops split across threads, computing exactly what the
/// general per-axis/per-block path computes: the division in float32, rounding half to even,
/// saturation, NaN to the low end; (x − zero point) · scale in float32.
enum PerTensorQuantization {
    static func scalar(_ scale: Tensor, _ zeroPoint: Tensor?) -> (Float, Int)? {
        guard scale.dataType == .float32, scale.count == 1, zeroPoint.map({ $0.count == 1 }) ?? true else { return nil }
        return (scale.withElements(as: Float.self) { $0[0] }, zeroPoint?.integers().first ?? 0)
    }

    /// nil when this is not the per-tensor float32 case.
    static func quantize(_ x: Tensor, scale: Tensor, zeroPoint: Tensor?, to type: DataType, _ context: ExecutionContext) -> Tensor? {
        guard x.dataType == .float32, let (s, zero) = scalar(scale, zeroPoint) else { return nil }
        switch type {
        case .int8, .int16:
            // The C kernels (AVX2 where the CPU has it) compute the same rint(x / s) + z in float32.
            let out = Tensor(dataType: type, shape: x.shape, zeroed: false)
            let src = UnsafePointer(x.storage.bytes.assumingMemoryBound(to: Float.self))
            let count = x.count, chunk = 1 << 16
            let z = Float(zero)
            if type == .int8 {
                let dst = out.storage.bytes.assumingMemoryBound(to: Int8.self)
                context.parallelFor((count + chunk - 1) / chunk) { range in
                    let start = range.lowerBound * chunk, end = min(count, range.upperBound * chunk)
                    ferry_quantize_f32_s8(src + start, dst + start, end - start, s, z)
                }
            } else {
                let dst = out.storage.bytes.assumingMemoryBound(to: Int16.self)
                context.parallelFor((count + chunk - 1) / chunk) { range in
                    let start = range.lowerBound * chunk, end = min(count, range.upperBound * chunk)
                    ferry_quantize_f32_s16(src + start, dst + start, end - start, s, z)
                }
            }
            return out
        case .uint8: return quantize(x, s, zero, UInt8.self, context)
        case .int16: return quantize(x, s, zero, Int16.self, context)
        case .uint16: return quantize(x, s, zero, UInt16.self, context)
        default: return nil
        }
    }

    static func quantize<T: FixedWidthInteger & TensorElement>(_ x: Tensor, _ s: Float, _ zero: Int, _: T.Type, _ context: ExecutionContext) -> Tensor {
        let out = Tensor(dataType: T.dataType, shape: x.shape, zeroed: false)
        let src = UnsafePointer(x.storage.bytes.assumingMemoryBound(to: Float.self))
        let dst = out.storage.bytes.assumingMemoryBound(to: T.self)
        let low = Float(T.min), high = Float(T.max), z = Float(zero)
        let count = x.count, chunk = 1 << 16
        context.parallelFor((count + chunk - 1) / chunk) { range in
            for i in (range.lowerBound * chunk)..<min(count, range.upperBound * chunk) {
                let q = (src[i] / s).rounded(.toNearestOrEven) + z
                // Clamped to T's range first, so the Int32 conversion is exact (and one instruction).
                dst[i] = q.isNaN ? T.min : T(truncatingIfNeeded: Int32(Swift.min(Swift.max(q, low), high)))
            }
        }
        return out
    }

    /// Per-axis (per-channel weights) to float32: nil unless the scale is a float32 vector along
    /// `axis`. The same (x − zero point) · scale in float32 as the general path, without its
    /// Double copies (constant weights are dequantized this way when every session loads).
    static func dequantizePerAxis(_ x: Tensor, scale: Tensor, zeroPoint: Tensor?, axis: Int, _ context: ExecutionContext) throws -> Tensor? {
        guard scale.dataType == .float32, scale.rank == 1, scale.count > 1, x.rank > 0 else { return nil }
        let a = try Axis.normalize(axis, rank: x.rank)
        guard x.shape[a] == scale.count, zeroPoint.map({ $0.count == scale.count }) ?? true else { return nil }
        let scales = scale.elements(as: Float.self)
        let zeros = zeroPoint?.integers() ?? [Int](repeating: 0, count: scales.count)
        let inner = x.shape[(a + 1)...].reduce(1, *), length = scales.count
        let outer = x.count / max(1, inner * length)
        // 8- and 16-bit rows go through the per-tensor C kernel, one row (one scale) at a time:
        // the same difference, conversion and multiply, vectorized (a conv weight's dequantization
        // is most of a quantized model's session set-up).
        let vectorized = zeros.allSatisfy { abs($0) <= 65536 }
        func run<T: FixedWidthInteger & TensorElement>(
            _: T.Type, _ kernel: ((UnsafePointer<T>?, UnsafeMutablePointer<Float>?, Int, Int32, Float) -> Void)? = nil
        ) -> Tensor {
            let out = Tensor(dataType: .float32, shape: x.shape, zeroed: false)
            let src = UnsafePointer(x.storage.bytes.assumingMemoryBound(to: T.self))
            let dst = out.storage.bytes.assumingMemoryBound(to: Float.self)
            context.parallelFor(outer * length) { range in
                for row in range {
                    let c = row % length, s = scales[c], z = zeros[c], base = row * inner
                    if let kernel, vectorized {
                        kernel(src + base, dst + base, inner, Int32(z), s)
                    } else {
                        for i in base..<(base + inner) { dst[i] = Float(Int(src[i]) - z) * s }
                    }
                }
            }
            return out
        }
        switch x.dataType {
        case .int8: return run(Int8.self, ferry_dequantize_s8_f32)
        case .uint8: return run(UInt8.self, ferry_dequantize_u8_f32)
        case .int16: return run(Int16.self, ferry_dequantize_s16_f32)
        case .uint16: return run(UInt16.self, ferry_dequantize_u16_f32)
        case .int32: return run(Int32.self)
        default: return nil
        }
    }

    /// nil when this is not the per-tensor case with a float32 result.
    static func dequantize(_ x: Tensor, scale: Tensor, zeroPoint: Tensor?, _ context: ExecutionContext) -> Tensor? {
        guard let (s, zero) = scalar(scale, zeroPoint) else { return nil }
        switch x.dataType {
        case .int8: return dequantize(x, s, zero, ferry_dequantize_s8_f32, context)
        case .uint8: return dequantize(x, s, zero, ferry_dequantize_u8_f32, context)
        case .int16: return dequantize(x, s, zero, ferry_dequantize_s16_f32, context)
        case .uint16: return dequantize(x, s, zero, ferry_dequantize_u16_f32, context)
        case .int32: return dequantize(x, s, zero, Int32.self, context)
        default: return nil
        }
    }

    /// 8- and 16-bit values in the vectorized C kernel (the difference to the zero point fits
    /// an Int32 and converts to Float exactly, so the values are the scalar path's).
    static func dequantize<T: FixedWidthInteger & TensorElement>(
        _ x: Tensor, _ s: Float, _ zero: Int, _ kernel: (UnsafePointer<T>?, UnsafeMutablePointer<Float>?, Int, Int32, Float) -> Void,
        _ context: ExecutionContext
    ) -> Tensor {
        // A zero point outside the type's range (a malformed model) takes the Int path.
        guard abs(zero) <= 65536 else { return dequantize(x, s, zero, T.self, context) }
        let out = Tensor(dataType: .float32, shape: x.shape, zeroed: false)
        let src = UnsafePointer(x.storage.bytes.assumingMemoryBound(to: T.self))
        let dst = out.storage.bytes.assumingMemoryBound(to: Float.self)
        let count = x.count, chunk = 1 << 16
        context.parallelFor((count + chunk - 1) / chunk) { range in
            let start = range.lowerBound * chunk
            kernel(src + start, dst + start, min(count, range.upperBound * chunk) - start, Int32(zero), s)
        }
        return out
    }

    static func dequantize<T: FixedWidthInteger & TensorElement>(_ x: Tensor, _ s: Float, _ zero: Int, _: T.Type, _ context: ExecutionContext) -> Tensor {
        let out = Tensor(dataType: .float32, shape: x.shape, zeroed: false)
        let src = UnsafePointer(x.storage.bytes.assumingMemoryBound(to: T.self))
        let dst = out.storage.bytes.assumingMemoryBound(to: Float.self)
        let count = x.count, chunk = 1 << 16
        context.parallelFor((count + chunk - 1) / chunk) { range in
            for i in (range.lowerBound * chunk)..<min(count, range.upperBound * chunk) {
                dst[i] = Float(Int(src[i]) - zero) * s
            }
        }
        return out
    }
}
