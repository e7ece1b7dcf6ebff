import FerryIR
import Foundation

/// Mod: the remainder of a / b; with fmod=0 (integers only) its sign follows the divisor, as in
/// Python, with fmod=1 it follows the dividend, as in C's fmod.
struct Mod: Operator {
    static let opType = "Mod"
    let fmod: Bool

    init(_ node: NodeContext) throws { fmod = try node.int("fmod", default: 0) != 0 }

    struct Python: NumericBinaryFunction {
        func callAsFunction<T: NumericElement>(_ a: T, _ b: T) -> T {
            let x = a.doubleValue, y = b.doubleValue
            if y == 0 { return T(castingFrom: .nan) }
            if x.isInfinite { return T(castingFrom: .nan) }
            if y.isInfinite { return T(castingFrom: x == 0 || (x < 0) == (y < 0) ? x : y) }
            var r = Foundation.fmod(x, y)
            if r != 0 && ((r < 0) != (y < 0)) { r += y }
            return T(castingFrom: r)
        }
    }

    struct C: NumericBinaryFunction {
        func callAsFunction<T: NumericElement>(_ a: T, _ b: T) -> T {
            let y = b.doubleValue
            return T(castingFrom: Foundation.fmod(a.doubleValue, y))
        }
    }

    func run(_ inputs: [Tensor?], _ context: ExecutionContext) throws -> [Tensor] {
        let a = try inputs.required(0), b = try inputs.required(1)
        return [fmod ? try mapNumeric(a, b, context, C()) : try mapNumeric(a, b, context, Python())]
    }
}
