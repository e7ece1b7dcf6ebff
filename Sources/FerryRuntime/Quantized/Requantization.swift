import CFerryKernels
import FerryIR

/// Which requantization TFLite builds use: gemmlowp's double rounding (the default of TFLite
/// and LiteRT) or TFLITE_SINGLE_ROUNDING (one rounding of a 64-bit product; TFLM can use it).
public enum IntegerRounding: String, Sendable, CaseIterable {
    case double
    case single
}

/// A real multiplier as TFLite stores it: a Q31 fixed-point multiplier and a power-of-two shift.
struct Requantizer: Sendable {
    let multiplier: Int32
    let shift: Int32
    let single: Int32

    init(multiplier: Int32, shift: Int32, rounding: IntegerRounding) {
        self.multiplier = multiplier
        self.shift = shift
        single = rounding == .single ? 1 : 0
    }

    init(_ real: Double, _ rounding: IntegerRounding) {
        var m: Int32 = 0
        var s: Int32 = 0
        single = rounding == .single ? 1 : 0
        ferry_quantize_multiplier(real, &m, &s, single)
        multiplier = m
        shift = s
    }

    /// TFLite's MultiplyByQuantizedMultiplier, in Swift so that elementwise kernels inline it
    /// (the same arithmetic as ferry_multiply_by_quantized_multiplier, which the tests compare).
    @inline(__always)
    func apply(_ x: Int32) -> Int32 {
        if single != 0 {
            let totalShift = Int64(31 - shift)
            let rounding = Int64(1) << (totalShift - 1)
            return Int32(truncatingIfNeeded: (Int64(x) * Int64(multiplier) + rounding) >> totalShift)
        }
        let left = shift > 0 ? shift : 0, right = shift > 0 ? 0 : -shift
        let shifted = Int32(bitPattern: UInt32(bitPattern: x) << UInt32(left))
        // SaturatingRoundingDoublingHighMul (multiplier ≥ 0, so only INT32_MIN · INT32_MIN overflows).
        let high: Int32
        if shifted == Int32.min && multiplier == Int32.min {
            high = Int32.max
        } else {
            let ab = Int64(shifted) * Int64(multiplier)
            let nudge: Int64 = ab >= 0 ? 1 << 30 : 1 - (1 << 30)
            // Division by 2^31 truncating toward zero, without a divide instruction.
            let v = ab + nudge
            high = Int32(truncatingIfNeeded: v >= 0 ? v >> 31 : -((-v) >> 31))
        }
        // RoundingDivideByPOT.
        let mask = Int32(truncatingIfNeeded: (Int64(1) << Int64(right)) - 1)
        let remainder = high & mask
        let threshold = (mask >> 1) + (high < 0 ? 1 : 0)
        return (high >> right) + (remainder > threshold ? 1 : 0)
    }
}

/// The quantization parameters an integer op reads from its attributes.
struct IntegerTensorParams: Sendable {
    let scale: Float
    let zeroPoint: Int32

    init(_ node: NodeContext, _ prefix: String) throws {
        scale = try node.float(prefix + "_scale", default: 0)
        zeroPoint = Int32(try node.int(prefix + "_zero_point", default: 0))
        guard scale > 0, scale.isFinite else { throw node.invalid(prefix + "_scale", "must be a positive scale, got \(scale)") }
    }
}

/// The clamp of a fused activation, in the output's integer domain.
struct ActivationRange: Sendable {
    let min: Int32
    let max: Int32

    init(_ node: NodeContext, type: DataType = .int8) throws {
        let (lo, hi): (Int, Int) = type == .int16 ? (-32768, 32767) : (-128, 127)
        min = Int32(try node.int("activation_min", default: lo))
        max = Int32(try node.int("activation_max", default: hi))
        guard min <= max, Int(min) >= lo, Int(max) <= hi else {
            throw node.invalid("activation_min", "[\(min), \(max)] is not a range within \(type)")
        }
    }
}

extension NodeContext {
    /// The rounding attribute of an integer op ("double" unless told).
    func rounding() throws -> IntegerRounding {
        let name = try string("rounding", default: "double")
        guard let rounding = IntegerRounding(rawValue: name) else { throw invalid("rounding", "must be 'double' or 'single', got '\(name)'") }
        return rounding
    }
}

/// The requantization of a weighted integer op (IntegerConv, IntegerFullyConnected): input and
/// output parameters, one weight scale per output channel (or one for all), the fused
/// activation's clamp, and the Q31 multiplier and shift per channel, as TFLite's
/// PopulateConvolutionQuantizationParams computes them (x·w[c]/y in double).
struct PerChannelRequantization: Sendable {
    let input: IntegerTensorParams
    let output: IntegerTensorParams
    let range: ActivationRange
    let single: Int32
    /// The weight scales as given (one per output channel, or one for all).
    let weightScales: [Float]
    private let multipliers: [Int32]
    private let shifts: [Int32]

    init(_ node: NodeContext) throws {
        input = try IntegerTensorParams(node, "x")
        output = try IntegerTensorParams(node, "y")
        range = try ActivationRange(node, type: .int16)
        let rounding = try node.rounding()
        single = rounding == .single ? 1 : 0
        let weightScales = try node.floats("w_scales") ?? []
        guard !weightScales.isEmpty else { throw node.invalid("w_scales", "needs one scale per output channel, or one for all") }
        self.weightScales = weightScales
        let (inScale, outScale) = (Double(input.scale), Double(output.scale))
        let requantizers = weightScales.map { Requantizer(inScale * Double($0) / outScale, rounding) }
        multipliers = requantizers.map(\.multiplier)
        shifts = requantizers.map(\.shift)
    }

    /// The 16×8 kernels' bias: int64 (as TFLite writes it) or int32 (the QDQ graph's) widened.
    static func bias64(_ bias: Tensor?, channels: Int) throws -> [Int64]? {
        guard let bias else { return nil }
        guard bias.count == channels else { throw KernelError("bias has \(bias.count) values for \(channels) channels") }
        switch bias.dataType {
        case .int64: return bias.elements(as: Int64.self)
        case .int32: return bias.elements(as: Int32.self).map(Int64.init)
        default: throw KernelError("a 16×8 bias is int64 or int32, got \(bias.dataType)")
        }
    }

    /// The clamp of an output of `type`.
    func clamp(for type: DataType) -> (Int32, Int32) {
        type == .int16 ? (range.min, range.max) : (Swift.max(range.min, -128), Swift.min(range.max, 127))
    }

    /// Multipliers and shifts for `channels` outputs (a single weight scale repeats).
    func perChannel(_ channels: Int) throws -> (multipliers: [Int32], shifts: [Int32]) {
        if multipliers.count == channels { return (multipliers, shifts) }
        guard multipliers.count == 1 else { throw KernelError("\(multipliers.count) weight scales for \(channels) output channels") }
        return (Array(repeating: multipliers[0], count: channels), Array(repeating: shifts[0], count: channels))
    }
}
