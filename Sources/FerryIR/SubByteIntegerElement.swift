/// A 4- or 2-bit integer, one byte per element in memory (signed values sign-extended), packed
/// only in files.
public protocol SubByteIntegerElement: WideningElement {
    static var bitWidth: Int { get }
    static var isSigned: Bool { get }
}

extension SubByteIntegerElement {
    /// The low `bitWidth` bits of `value`, reinterpreted as this type (two's complement wrap,
    /// as ONNX Cast does between integer types).
    public init(truncatingIfNeeded value: Int64) {
        let mask = Int64((1 << Self.bitWidth) - 1)
        var low = value & mask
        if Self.isSigned && low >> (Self.bitWidth - 1) != 0 { low -= mask + 1 }
        self.init(bits: UInt8(truncatingIfNeeded: low))
    }

    /// Truncates toward zero and wraps, as numpy and ml_dtypes cast floats to int4 (which gives
    /// ONNX's expected outputs); NaN, infinities and values beyond Int64 become 0.
    public init(castingFrom value: Double) {
        guard value.isFinite, value.magnitude < 9.2e18 else { self.init(bits: 0); return }
        self.init(truncatingIfNeeded: Int64(value.rounded(.towardZero)))
    }

    public var intValue: Int { Self.isSigned ? Int(Int8(bitPattern: bits)) : Int(bits) }
    public var doubleValue: Double { Double(intValue) }
    public static var lowest: Self { Self(truncatingIfNeeded: isSigned ? -(1 << (bitWidth - 1)) : 0) }
    public static var highest: Self { Self(truncatingIfNeeded: isSigned ? (1 << (bitWidth - 1)) - 1 : (1 << bitWidth) - 1) }

    /// Integer division truncating toward zero; a zero divisor gives 0, as for the wider integers.
    public static func divide(_ a: Self, _ b: Self) -> Self {
        b.intValue == 0 ? Self(bits: 0) : Self(truncatingIfNeeded: Int64(a.intValue / b.intValue))
    }
}

/// Signed 4-bit integer, −8…7.
public struct Int4: SubByteIntegerElement {
    public var bits: UInt8
    public init(bits: UInt8) { self.bits = bits }
    public static var bitWidth: Int { 4 }
    public static var isSigned: Bool { true }
    public static var dataType: DataType { .int4 }
}

/// Unsigned 4-bit integer, 0…15.
public struct UInt4: SubByteIntegerElement {
    public var bits: UInt8
    public init(bits: UInt8) { self.bits = bits }
    public static var bitWidth: Int { 4 }
    public static var isSigned: Bool { false }
    public static var dataType: DataType { .uint4 }
}

/// Signed 2-bit integer, −2…1.
public struct Int2: SubByteIntegerElement {
    public var bits: UInt8
    public init(bits: UInt8) { self.bits = bits }
    public static var bitWidth: Int { 2 }
    public static var isSigned: Bool { true }
    public static var dataType: DataType { .int2 }
}

/// Unsigned 2-bit integer, 0…3.
public struct UInt2: SubByteIntegerElement {
    public var bits: UInt8
    public init(bits: UInt8) { self.bits = bits }
    public static var bitWidth: Int { 2 }
    public static var isSigned: Bool { false }
    public static var dataType: DataType { .uint2 }
}
