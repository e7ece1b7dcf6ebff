/// Arithmetic with ONNX semantics for every numeric element type: integers wrap on overflow
/// and divide truncating toward zero (a zero divisor gives 0 rather than a trap); floating
/// types follow IEEE 754.
public protocol ElementArithmetic {
    static func add(_ a: Self, _ b: Self) -> Self
    static func subtract(_ a: Self, _ b: Self) -> Self
    static func multiply(_ a: Self, _ b: Self) -> Self
    static func divide(_ a: Self, _ b: Self) -> Self
}

extension FloatElement {
    @inlinable public static func add(_ a: Self, _ b: Self) -> Self { a + b }
    @inlinable public static func subtract(_ a: Self, _ b: Self) -> Self { a - b }
    @inlinable public static func multiply(_ a: Self, _ b: Self) -> Self { a * b }
    @inlinable public static func divide(_ a: Self, _ b: Self) -> Self { a / b }
}

extension IntegerElement {
    @inlinable public static func add(_ a: Self, _ b: Self) -> Self { a &+ b }
    @inlinable public static func subtract(_ a: Self, _ b: Self) -> Self { a &- b }
    @inlinable public static func multiply(_ a: Self, _ b: Self) -> Self { a &* b }
    @inlinable public static func divide(_ a: Self, _ b: Self) -> Self {
        if b == 0 { return 0 }
        if Self.isSigned && b == (0 &- 1) { return 0 &- a }
        return a / b
    }
}
