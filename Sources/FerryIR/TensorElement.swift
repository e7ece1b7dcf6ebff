/// A Swift type that can be the element of a `Tensor`'s storage.
public protocol TensorElement: Sendable {
    static var dataType: DataType { get }
    static var zero: Self { get }
}

/// An element type with arithmetic: every tensor element type but bool and string.
public protocol NumericElement: TensorElement, Comparable, Numeric, ElementArithmetic {
    /// The value as a Double, exactly for every element type but 64-bit integers beyond 2^53.
    var doubleValue: Double { get }
    /// Converts from Double the way ONNX `Cast` does: rounding to nearest for floating types,
    /// truncation toward zero for integers (out-of-range values wrap like C casts).
    init(castingFrom value: Double)
    static var lowest: Self { get }
    static var highest: Self { get }
}

/// A floating-point element type (float16, float32, float64).
public protocol FloatElement: NumericElement, BinaryFloatingPoint {
    var floatValue: Float { get }
    init(_ value: Float)
}

/// An integer element type.
public protocol IntegerElement: NumericElement, FixedWidthInteger {}

extension Float: FloatElement {
    public static var dataType: DataType { .float32 }
    public var doubleValue: Double { Double(self) }
    public var floatValue: Float { self }
    public init(castingFrom value: Double) { self = Float(value) }
    public static var lowest: Float { -.infinity }
    public static var highest: Float { .infinity }
}

extension Double: FloatElement {
    public static var dataType: DataType { .float64 }
    public var doubleValue: Double { self }
    public var floatValue: Float { Float(self) }
    public init(castingFrom value: Double) { self = value }
    public static var lowest: Double { -.infinity }
    public static var highest: Double { .infinity }
}

extension Float16: FloatElement {
    public static var dataType: DataType { .float16 }
    public var doubleValue: Double { Double(self) }
    public var floatValue: Float { Float(self) }
    public init(castingFrom value: Double) { self = Float16(Float(value)) }
    public static var lowest: Float16 { -.infinity }
    public static var highest: Float16 { .infinity }
}

extension IntegerElement {
    public var doubleValue: Double { Double(self) }
    public init(castingFrom value: Double) {
        if value.isNaN || value.isInfinite {
            self = value.isNaN ? 0 : (value > 0 ? Self.max : Self.min)
        } else if let exact = Self(exactly: value.rounded(.towardZero)) {
            self = exact
        } else {
            // Out of range: wrap through Int64 like a C cast on two's complement machines.
            let wide = value.magnitude < 9.2e18 ? Int64(value.rounded(.towardZero)) : (value > 0 ? Int64.max : Int64.min)
            self = Self(truncatingIfNeeded: wide)
        }
    }
    public static var lowest: Self { .min }
    public static var highest: Self { .max }
}

extension Int8: IntegerElement { public static var dataType: DataType { .int8 } }
extension UInt8: IntegerElement { public static var dataType: DataType { .uint8 } }
extension Int16: IntegerElement { public static var dataType: DataType { .int16 } }
extension UInt16: IntegerElement { public static var dataType: DataType { .uint16 } }
extension Int32: IntegerElement { public static var dataType: DataType { .int32 } }
extension UInt32: IntegerElement { public static var dataType: DataType { .uint32 } }
extension Int64: IntegerElement { public static var dataType: DataType { .int64 } }
extension UInt64: IntegerElement { public static var dataType: DataType { .uint64 } }

extension Bool: TensorElement {
    public static var dataType: DataType { .bool }
    public static var zero: Bool { false }
}

extension String: TensorElement {
    public static var dataType: DataType { .string }
    public static var zero: String { "" }
}

/// bfloat16 storage: the upper half of a float32's bits.
public struct BFloat16: TensorElement {
    public var bits: UInt16
    public init(bits: UInt16) { self.bits = bits }
    /// Rounds to nearest even, as PyTorch and ONNX do.
    public init(_ value: Float) {
        if value.isNaN { bits = 0x7FC0; return }
        let raw = value.bitPattern
        let rounding = UInt32(0x7FFF) + ((raw >> 16) & 1)
        bits = UInt16(truncatingIfNeeded: (raw &+ rounding) >> 16)
    }
    public var floatValue: Float { Float(bitPattern: UInt32(bits) << 16) }
    public static var dataType: DataType { .bfloat16 }
    public static var zero: BFloat16 { BFloat16(bits: 0) }
}

extension DataType {
    /// The Swift type of a numeric element type, for opening generic kernels.
    public var numericType: (any NumericElement.Type)? {
        switch self {
        case .float32: return Float.self
        case .float64: return Double.self
        case .float16: return Float16.self
        case .int8: return Int8.self
        case .uint8: return UInt8.self
        case .int16: return Int16.self
        case .uint16: return UInt16.self
        case .int32: return Int32.self
        case .uint32: return UInt32.self
        case .int64: return Int64.self
        case .uint64: return UInt64.self
        case .bfloat16: return BFloat16.self
        case .float8e4m3fn: return Float8E4M3FN.self
        case .float8e4m3fnuz: return Float8E4M3FNUZ.self
        case .float8e5m2: return Float8E5M2.self
        case .float8e5m2fnuz: return Float8E5M2FNUZ.self
        case .float8e8m0: return Float8E8M0.self
        case .float4e2m1: return Float4E2M1.self
        case .float6e2m3: return Float6E2M3.self
        case .float6e3m2: return Float6E3M2.self
        case .int4: return Int4.self
        case .uint4: return UInt4.self
        case .int2: return Int2.self
        case .uint2: return UInt2.self
        case .bool, .string: return nil
        }
    }

    /// The Swift type of a floating-point element type.
    public var floatType: (any FloatElement.Type)? {
        switch self {
        case .float32: return Float.self
        case .float64: return Double.self
        case .float16: return Float16.self
        default: return nil
        }
    }
}
