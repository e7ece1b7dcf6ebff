/// The layout of a float narrower than 16 bits (float8, float6, float4) and the conversions
/// to and from it, as ONNX defines them: round to nearest even, and for out-of-range values
/// either saturation to the largest finite value or the format's overflow encoding.
///
/// One codec serves every format; the formats differ only in the numbers here.
public struct MiniFloatFormat: Sendable, Equatable {
    /// How a format spends its top codes on special values.
    public enum Specials: Sendable, Equatable {
        /// IEEE 754 style: the all-ones exponent holds ±infinity and NaNs (float8e5m2).
        case ieee
        /// Finite and NaN: only S.1111.111 is NaN, there is no infinity (float8e4m3fn).
        case finiteAndNaN
        /// "fnuz": 0x80 (negative zero's code) is the only NaN; no infinity, no −0.
        case unsignedZeroNaN
        /// Every code is a finite number (float4e2m1, float6e2m3, float6e3m2).
        case finiteOnly
    }

    public let exponentBits: Int
    public let mantissaBits: Int
    public let bias: Int
    public let specials: Specials

    public static let e4m3fn = MiniFloatFormat(exponentBits: 4, mantissaBits: 3, bias: 7, specials: .finiteAndNaN)
    public static let e4m3fnuz = MiniFloatFormat(exponentBits: 4, mantissaBits: 3, bias: 8, specials: .unsignedZeroNaN)
    public static let e5m2 = MiniFloatFormat(exponentBits: 5, mantissaBits: 2, bias: 15, specials: .ieee)
    public static let e5m2fnuz = MiniFloatFormat(exponentBits: 5, mantissaBits: 2, bias: 16, specials: .unsignedZeroNaN)
    public static let e2m1 = MiniFloatFormat(exponentBits: 2, mantissaBits: 1, bias: 1, specials: .finiteOnly)
    public static let e2m3 = MiniFloatFormat(exponentBits: 2, mantissaBits: 3, bias: 1, specials: .finiteOnly)
    public static let e3m2 = MiniFloatFormat(exponentBits: 3, mantissaBits: 2, bias: 3, specials: .finiteOnly)

    /// Total bits: sign, exponent, mantissa.
    public var bitWidth: Int { 1 + exponentBits + mantissaBits }
    var signBit: UInt8 { UInt8(1) << (exponentBits + mantissaBits) }
    var magnitudeMask: UInt8 { signBit - 1 }

    /// The code of the largest finite magnitude.
    var maxFiniteCode: UInt8 {
        switch specials {
        case .ieee: return magnitudeMask - (UInt8(1) << mantissaBits)   // exponent all ones is special
        case .finiteAndNaN: return magnitudeMask - 1                   // S.1111.111 is NaN
        case .unsignedZeroNaN, .finiteOnly: return magnitudeMask
        }
    }

    /// The largest finite value (448 for e4m3fn, 57344 for e5m2, 6 for e2m1, …).
    public var greatestFiniteMagnitude: Double { magnitude(of: maxFiniteCode) }

    /// The value of `code` (the low `bitWidth` bits), NaN and infinities included.
    public func decode(_ code: UInt8) -> Double {
        let negative = code & signBit != 0
        let magnitudeCode = code & magnitudeMask
        switch specials {
        case .unsignedZeroNaN where code == signBit: return .nan
        case .finiteAndNaN where magnitudeCode == magnitudeMask: return negative ? -.nan : .nan
        case .ieee where magnitudeCode > maxFiniteCode:
            let isInfinity = magnitudeCode & ((UInt8(1) << mantissaBits) - 1) == 0
            return isInfinity ? (negative ? -.infinity : .infinity) : (negative ? -.nan : .nan)
        default: break
        }
        let value = magnitude(of: magnitudeCode)
        return negative ? -value : value
    }

    /// The code for `value`, rounded to nearest even. Out-of-range values and infinities become
    /// ±greatest finite when `saturate` is true (ONNX's default); otherwise infinity for e5m2,
    /// NaN for the formats without infinity, and ±greatest finite for the finite-only formats,
    /// which have no other choice. NaN gives the format's NaN; in the finite-only formats, which
    /// have none, it gives zero with the opposite sign, as ml_dtypes (which generates ONNX's
    /// expected outputs) does.
    public func encode(_ value: Double, saturate: Bool) -> UInt8 {
        let sign: UInt8 = value.sign == .minus ? signBit : 0
        if value.isNaN {
            switch specials {
            case .ieee: return sign | (maxFiniteCode + 1) | (UInt8(1) << (mantissaBits - 1))   // quiet NaN
            case .finiteAndNaN: return sign | magnitudeMask
            case .unsignedZeroNaN: return signBit
            case .finiteOnly: return sign ^ signBit
            }
        }
        // Infinity is one past the largest finite code: handled as an overflow below.
        let code = value.isInfinite ? maxFiniteCode + 1 : roundedMagnitude(value.magnitude)
        if code > maxFiniteCode {
            if saturate || specials == .finiteOnly { return sign | maxFiniteCode }
            switch specials {
            case .ieee: return sign | (maxFiniteCode + 1)   // infinity: exponent all ones, mantissa 0
            case .finiteAndNaN: return sign | magnitudeMask
            case .unsignedZeroNaN, .finiteOnly: return signBit
            }
        }
        if code == 0 && specials == .unsignedZeroNaN { return 0 }   // no negative zero
        return sign | code
    }

    /// The magnitude code nearest to `magnitude` (ties to even), which may lie past the largest
    /// finite code (or be any value above it) when `magnitude` is out of range.
    private func roundedMagnitude(_ magnitude: Double) -> UInt8 {
        guard magnitude > 0 else { return 0 }
        let minimumExponent = 1 - bias
        let exponent = max(Int(magnitude.exponent), minimumExponent)
        // Scale so that one unit is one step of the mantissa at this exponent (exact: a power of two).
        let scaled = magnitude * Double(sign: .plus, exponent: mantissaBits - exponent, significand: 1)
        let steps = scaled.rounded(.toNearestOrEven)
        let maxExponentField = (1 << exponentBits) - 1
        // Codes are monotonic in magnitude: exponent field times 2^M plus mantissa, where a
        // normal number's `steps` already includes the implicit leading 2^M.
        let field = exponent - minimumExponent
        let code = Double(field << mantissaBits) + steps
        let limit = Double((maxExponentField + 1) << mantissaBits)
        return code >= limit ? maxFiniteCode + 1 : UInt8(code)
    }

    /// The value of a magnitude code (no sign, no specials).
    private func magnitude(of code: UInt8) -> Double {
        let exponentField = Int(code) >> mantissaBits
        let mantissa = Double(Int(code) & ((1 << mantissaBits) - 1))
        let unit = Double(1 << mantissaBits)
        if exponentField == 0 {
            return mantissa / unit * Double(sign: .plus, exponent: 1 - bias, significand: 1)
        }
        return (1 + mantissa / unit) * Double(sign: .plus, exponent: exponentField - bias, significand: 1)
    }
}
