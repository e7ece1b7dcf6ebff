/// A float narrower than 16 bits, one byte per element in memory; its layout and conversions
/// are those of `format`.
public protocol MiniFloatElement: WideningElement {
    static var format: MiniFloatFormat { get }
}

extension MiniFloatElement {
    /// `value` rounded to nearest even; out-of-range values saturate unless `saturate` is false
    /// (see `MiniFloatFormat.encode`).
    public init(_ value: Double, saturate: Bool) {
        self.init(bits: Self.format.encode(value, saturate: saturate))
    }
    /// Saturating conversion, ONNX Cast's default.
    public init(castingFrom value: Double) { self.init(value, saturate: true) }
    public var doubleValue: Double { Self.format.decode(bits) }
    public var floatValue: Float { Float(doubleValue) }
    public static var highest: Self {
        Self(bits: format.specials == .ieee ? format.maxFiniteCode + 1 : format.maxFiniteCode)
    }
    public static var lowest: Self {
        let largest = format.specials == .ieee ? format.maxFiniteCode + 1 : format.maxFiniteCode
        return Self(bits: format.signBit | largest)
    }
}

/// float8 with 4 exponent and 3 mantissa bits, no infinity, NaN at S.1111.111 (max 448).
public struct Float8E4M3FN: MiniFloatElement {
    public var bits: UInt8
    public init(bits: UInt8) { self.bits = bits }
    public static var format: MiniFloatFormat { .e4m3fn }
    public static var dataType: DataType { .float8e4m3fn }
}

/// float8 e4m3 with no negative zero: 0x80 is NaN (max 240).
public struct Float8E4M3FNUZ: MiniFloatElement {
    public var bits: UInt8
    public init(bits: UInt8) { self.bits = bits }
    public static var format: MiniFloatFormat { .e4m3fnuz }
    public static var dataType: DataType { .float8e4m3fnuz }
}

/// float8 with 5 exponent and 2 mantissa bits, IEEE infinities and NaNs (max 57344).
public struct Float8E5M2: MiniFloatElement {
    public var bits: UInt8
    public init(bits: UInt8) { self.bits = bits }
    public static var format: MiniFloatFormat { .e5m2 }
    public static var dataType: DataType { .float8e5m2 }
}

/// float8 e5m2 with no negative zero and no infinity: 0x80 is NaN (max 57344).
public struct Float8E5M2FNUZ: MiniFloatElement {
    public var bits: UInt8
    public init(bits: UInt8) { self.bits = bits }
    public static var format: MiniFloatFormat { .e5m2fnuz }
    public static var dataType: DataType { .float8e5m2fnuz }
}

/// float4 with 2 exponent bits and 1 mantissa bit, every code finite (max 6).
public struct Float4E2M1: MiniFloatElement {
    public var bits: UInt8
    public init(bits: UInt8) { self.bits = bits }
    public static var format: MiniFloatFormat { .e2m1 }
    public static var dataType: DataType { .float4e2m1 }
}

/// float6 with 2 exponent and 3 mantissa bits, every code finite (max 7.5).
public struct Float6E2M3: MiniFloatElement {
    public var bits: UInt8
    public init(bits: UInt8) { self.bits = bits }
    public static var format: MiniFloatFormat { .e2m3 }
    public static var dataType: DataType { .float6e2m3 }
}

/// float6 with 3 exponent and 2 mantissa bits, every code finite (max 28).
public struct Float6E3M2: MiniFloatElement {
    public var bits: UInt8
    public init(bits: UInt8) { self.bits = bits }
    public static var format: MiniFloatFormat { .e3m2 }
    public static var dataType: DataType { .float6e3m2 }
}
