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

    init(_ real: Double, _ rounding: IntegerRounding) {
        var m: Int32 = 0
        var s: Int32 = 0
        single = rounding == .single ? 1 : 0
        ferry_quantize_multiplier(real, &m, &s, single)
        multiplier = m
        shift = s
    }

    @inline(__always)
    func apply(_ x: Int32) -> Int32 { ferry_multiply_by_quantized_multiplier(x, multiplier, shift, single) }
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
