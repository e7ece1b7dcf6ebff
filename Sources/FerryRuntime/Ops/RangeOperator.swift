import FerryIR

/// Range: start, start+delta, … up to (not including) limit.
struct RangeOperator: Operator {
    static let opType = "Range"
    static let shapeDependsOnValues: [Int] = [0, 1, 2]

    init(_ node: NodeContext) throws {}

    func run(_ inputs: [Tensor?], _ context: ExecutionContext) throws -> [Tensor] {
        let start = try inputs.required(0), limit = try inputs.required(1), delta = try inputs.required(2)
        if start.dataType == .bfloat16 {
            let wide = try run([start, limit, delta].map { try Cast.convert($0, to: .float32) }, context)
            return [try Cast.convert(wide[0], to: .bfloat16)]
        }
        guard let type = start.dataType.numericType else { throw KernelError("expects numeric inputs, got \(start.dataType)") }
        let s = start.doubles()[0], l = limit.doubles()[0], d = delta.doubles()[0]
        guard d != 0 else { throw KernelError("delta is 0") }
        let steps = ((l - s) / d).rounded(.up)
        guard steps.isFinite, steps < Double(ShapeCheck.maximumElements) else { throw KernelError("range from \(s) to \(l) by \(d) is too long") }
        let count = max(Int(steps), 0)
        func open<T: NumericElement>(_: T.Type) -> Tensor {
            // Accumulate in the element type, as the ONNX reference does.
            let first = T(castingFrom: s), step = T(castingFrom: d)
            var values: [T] = []
            values.reserveCapacity(count)
            var v = first
            for _ in 0..<count { values.append(v); v = T.add(v, step) }
            return Tensor(shape: [count], values: values)
        }
        return [open(type)]
    }
}
