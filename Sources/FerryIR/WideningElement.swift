/// An element type too narrow to compute in (float8, float6, float4, float8e8m0, int4, int2):
/// arithmetic widens both operands to Double and converts the result back with the type's
/// `init(castingFrom:)`, so it rounds (or, for the small integers, wraps) once per operation.
public protocol WideningElement: NumericElement where Magnitude == Self, IntegerLiteralType == Int {
    /// The byte that holds the element in memory (sub-byte codes in the low bits; signed
    /// integers sign-extended).
    var bits: UInt8 { get }
    init(bits: UInt8)
}

extension WideningElement {
    public static var zero: Self { Self(castingFrom: 0) }
    public init(integerLiteral value: Int) { self.init(castingFrom: Double(value)) }
    public init?<T: BinaryInteger>(exactly source: T) {
        guard let value = Double(exactly: source) else { return nil }
        self.init(castingFrom: value)
        guard doubleValue == value else { return nil }
    }
    public var magnitude: Self { Self(castingFrom: doubleValue.magnitude) }

    public static func + (a: Self, b: Self) -> Self { Self(castingFrom: a.doubleValue + b.doubleValue) }
    public static func - (a: Self, b: Self) -> Self { Self(castingFrom: a.doubleValue - b.doubleValue) }
    public static func * (a: Self, b: Self) -> Self { Self(castingFrom: a.doubleValue * b.doubleValue) }
    public static func *= (a: inout Self, b: Self) { a = a * b }
    public static func < (a: Self, b: Self) -> Bool { a.doubleValue < b.doubleValue }
    public static func == (a: Self, b: Self) -> Bool { a.doubleValue == b.doubleValue }

    public static func add(_ a: Self, _ b: Self) -> Self { a + b }
    public static func subtract(_ a: Self, _ b: Self) -> Self { a - b }
    public static func multiply(_ a: Self, _ b: Self) -> Self { a * b }
    public static func divide(_ a: Self, _ b: Self) -> Self { Self(castingFrom: a.doubleValue / b.doubleValue) }
}
