/// bfloat16 arithmetic: each operation is done in float32 and rounded back to nearest even,
/// which is how runtimes without native bfloat16 compute it.
extension BFloat16: NumericElement {
    public typealias Magnitude = BFloat16
    public typealias IntegerLiteralType = Int

    public init(integerLiteral value: Int) { self.init(Float(value)) }
    public init?<T: BinaryInteger>(exactly source: T) {
        guard let value = Float(exactly: source) else { return nil }
        self.init(value)
    }
    public var magnitude: BFloat16 { BFloat16(abs(floatValue)) }
    public var doubleValue: Double { Double(floatValue) }
    public init(castingFrom value: Double) { self.init(Float(value)) }
    public static var lowest: BFloat16 { BFloat16(-Float.infinity) }
    public static var highest: BFloat16 { BFloat16(Float.infinity) }

    public static func + (a: BFloat16, b: BFloat16) -> BFloat16 { BFloat16(a.floatValue + b.floatValue) }
    public static func - (a: BFloat16, b: BFloat16) -> BFloat16 { BFloat16(a.floatValue - b.floatValue) }
    public static func * (a: BFloat16, b: BFloat16) -> BFloat16 { BFloat16(a.floatValue * b.floatValue) }
    public static func *= (a: inout BFloat16, b: BFloat16) { a = a * b }
    public static func < (a: BFloat16, b: BFloat16) -> Bool { a.floatValue < b.floatValue }
    public static func == (a: BFloat16, b: BFloat16) -> Bool { a.floatValue == b.floatValue }

    public static func add(_ a: BFloat16, _ b: BFloat16) -> BFloat16 { a + b }
    public static func subtract(_ a: BFloat16, _ b: BFloat16) -> BFloat16 { a - b }
    public static func multiply(_ a: BFloat16, _ b: BFloat16) -> BFloat16 { a * b }
    public static func divide(_ a: BFloat16, _ b: BFloat16) -> BFloat16 { BFloat16(a.floatValue / b.floatValue) }
}
