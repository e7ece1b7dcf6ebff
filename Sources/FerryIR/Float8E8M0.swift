/// float8e8m0: an unsigned power of two 2^(bits − 127) with 0xFF as NaN, the scale type of
/// the OCP microscaling (MX) formats. It has no sign, no zero and no mantissa.
public struct Float8E8M0: WideningElement {
    /// How a value between two powers of two is rounded (Cast's `round_mode`).
    public enum RoundMode: String, Sendable, CaseIterable {
        /// Away from zero: any fraction goes to the next power of two (ONNX's default).
        case up
        /// Toward zero: the fraction is dropped.
        case down
        /// To the nearer power of two, ties up.
        case nearest
    }

    public var bits: UInt8
    public init(bits: UInt8) { self.bits = bits }
    public static var dataType: DataType { .float8e8m0 }

    /// Converts through float32's exponent field as ONNX's reference does. NaN gives NaN;
    /// infinity gives the largest value (2^127) when saturating and NaN otherwise; rounding past
    /// 2^127 saturates or gives NaN likewise. The sign is ignored (negative inputs are
    /// unspecified in ONNX).
    public init(_ value: Double, saturate: Bool, roundMode: RoundMode) {
        let single = Float(value)
        if single.isNaN { bits = 0xFF; return }
        if single.isInfinite { bits = saturate ? 0xFE : 0xFF; return }
        let raw = single.bitPattern
        let exponent = (raw >> 23) & 0xFF
        let roundUp: Bool
        switch roundMode {
        case .down: roundUp = false
        case .up: roundUp = raw & 0x7F_FFFF != 0
        case .nearest:
            // Guard bit, then round or sticky bits; as the reference, a zero exponent field counts as even.
            let guardBit = raw & 0x40_0000 != 0, roundBit = raw & 0x20_0000 != 0, sticky = raw & 0x1F_FFFF != 0
            roundUp = guardBit && (roundBit || sticky || exponent > 0)
        }
        if roundUp && exponent == 0xFE && saturate {
            bits = 0xFE
        } else {
            bits = UInt8(exponent + (roundUp ? 1 : 0))
        }
    }

    /// Saturating, rounding up: ONNX Cast's defaults.
    public init(castingFrom value: Double) { self.init(value, saturate: true, roundMode: .up) }
    public var doubleValue: Double {
        bits == 0xFF ? .nan : Double(sign: .plus, exponent: Int(bits) - 127, significand: 1)
    }
    public static var lowest: Float8E8M0 { Float8E8M0(bits: 0) }
    public static var highest: Float8E8M0 { Float8E8M0(bits: 0xFE) }
}
