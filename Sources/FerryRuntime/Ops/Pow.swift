import FerryIR
import Foundation

/// Pow: x^y with broadcasting; the exponent may have another numeric type.
struct Pow: Operator {
    static let opType = "Pow"

    init(_ node: NodeContext) throws {}

    func run(_ inputs: [Tensor?], _ context: ExecutionContext) throws -> [Tensor] {
        let x = try inputs.required(0), y = try inputs.required(1)
        if x.dataType == .float32 && y.dataType == .float32 {
            return [try mapBinary(x, y, context) { (a: Float, b: Float) -> Float in Foundation.pow(a, b) }]
        }
        guard let type = x.dataType.numericType, y.dataType.numericType != nil else {
            throw KernelError("expects numeric inputs, got \(x.dataType) and \(y.dataType)")
        }
        let exponent = Tensor(shape: y.shape, values: y.doubles())
        func open<T: NumericElement>(_: T.Type) throws -> Tensor {
            try mapBinary(x, exponent, context) { (a: T, b: Double) -> T in T(castingFrom: Foundation.pow(a.doubleValue, b)) }
        }
        return [try open(type)]
    }
}
