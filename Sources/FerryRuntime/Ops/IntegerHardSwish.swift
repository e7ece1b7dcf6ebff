import CFerryKernels
import FerryIR

/// IntegerHardSwish (`ai.ferry`): int8 x·relu6(x+3)/6 as TFLite's reference kernel computes it
/// (reference_ops::HardSwish): 16-bit fixed point on a "high-res" input scale (input × 2⁷),
/// a reluish multiplier mapping [-3, 3] to [-1, 1], a truncating doubling high multiply and a
/// rounding shift to the output scale. Int8 has 256 inputs, so the kernel is a table made
/// once from those steps.
struct IntegerHardSwish: Operator {
    static let opType = "IntegerHardSwish"
    static let domain = "ai.ferry"
    let table: [Int8]

    init(_ node: NodeContext) throws {
        let x = try IntegerTensorParams(node, "x")
        let y = try IntegerTensorParams(node, "y")
        table = IntegerHardSwish.table(x: x, y: y)
    }

    static func table(x: IntegerTensorParams, y: IntegerTensorParams) -> [Int8] {
        // Prepare, in float as TFLite computes these scales.
        let hiresInputScale = (1.0 as Float / 128.0) * x.scale
        let reluishScale: Float = 3.0 / 32768.0
        func multiplier(_ real: Float) -> (Int16, Int) {
            var m: Int32 = 0, shift: Int32 = 0
            ferry_quantize_multiplier(Double(real), &m, &shift, 0)
            // DownScaleInt32ToInt16Multiplier.
            let m16: Int16 = m >= Int32.max - (1 << 15) ? Int16.max : Int16((m + (1 << 15)) >> 16)
            return (m16, Int(shift))
        }
        let (outputMultiplier, outputExponent) = multiplier(hiresInputScale / y.scale)
        let (reluishMultiplier, reluishExponent) = multiplier(hiresInputScale / reluishScale)
        var table = [Int8](repeating: 0, count: 256)
        for q in -128...127 {
            let inputValue = Int16(Int32(q) - x.zeroPoint)
            let hires = Int16(truncatingIfNeeded: Int32(inputValue) * (1 << 7))
            let preshiftOutput = roundingDoublingHighMul(hires, outputMultiplier)
            var reluish = hires
            if reluishExponent > 0 { reluish = saturatingLeftShift(reluish, reluishExponent - 1) }
            reluish = roundingDoublingHighMul(reluish, reluishMultiplier)
            if reluishExponent > 0 { reluish = saturatingLeftShift(reluish, 1) }
            if reluishExponent < 0 { reluish = roundingDivideByPOT(reluish, -reluishExponent) }
            reluish = Int16(truncatingIfNeeded: (Int32(reluish) + (1 << 15)) >> 1)
            let preshift = doublingHighMul(reluish, preshiftOutput)
            var output = Int32(roundingDivideByPOT(preshift, -outputExponent)) + y.zeroPoint
            output = min(127, max(-128, output))
            table[q + 128] = Int8(output)
        }
        return table
    }

    static func saturatingLeftShift(_ value: Int16, _ amount: Int) -> Int16 {
        let result = Int64(value) * (1 << amount)
        return Int16(min(Int64(Int16.max), max(Int64(Int16.min), result)))
    }

    /// gemmlowp::SaturatingRoundingDoublingHighMul on int16.
    static func roundingDoublingHighMul(_ a: Int16, _ b: Int16) -> Int16 {
        if a == b && a == Int16.min { return Int16.max }
        let ab = Int32(a) * Int32(b)
        let nudge: Int32 = ab >= 0 ? (1 << 14) : (1 - (1 << 14))
        return Int16(truncatingIfNeeded: (ab + nudge) / (1 << 15))
    }

    /// TFLite's SaturatingDoublingHighMul: as above, rounding toward zero.
    static func doublingHighMul(_ a: Int16, _ b: Int16) -> Int16 {
        if a == b && a == Int16.min { return Int16.max }
        return Int16(truncatingIfNeeded: (Int32(a) * Int32(b)) / (1 << 15))
    }

    /// gemmlowp::RoundingDivideByPOT on int16.
    static func roundingDivideByPOT(_ x: Int16, _ exponent: Int) -> Int16 {
        guard exponent > 0 else { return x }
        let mask = Int16(truncatingIfNeeded: (1 << exponent) - 1)
        let remainder = x & mask
        let threshold = (mask >> 1) + (x < 0 ? 1 : 0)
        return (x >> Int16(exponent)) + (remainder > threshold ? 1 : 0)
    }

    func run(_ inputs: [Tensor?], _ context: ExecutionContext) throws -> [Tensor] {
        [try lookUpInt8(table, try inputs.required(0))]
    }
}

/// Maps every int8 element through a 256-entry table indexed by value + 128 (the int8 kernels
/// that TFLite computes as a table: HardSwish, Logistic, Tanh).
func lookUpInt8(_ table: [Int8], _ input: Tensor) throws -> Tensor {
    guard input.dataType == .int8 else { throw KernelError("expects int8, got \(input.dataType)") }
    let out = Tensor(dataType: .int8, shape: input.shape, zeroed: false)
    let xp = UnsafePointer(input.storage.bytes.assumingMemoryBound(to: Int8.self))
    let op = out.storage.bytes.assumingMemoryBound(to: Int8.self)
    table.withUnsafeBufferPointer { lut in
        for i in 0..<input.count { op[i] = lut[Int(xp[i]) + 128] }
    }
    return out
}
