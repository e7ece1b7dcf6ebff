import FerryIR

/// Mean: the element-wise mean of any number of inputs, with broadcasting.
struct Mean: Operator {
    static let opType = "Mean"

    init(_ node: NodeContext) throws {}

    func run(_ inputs: [Tensor?], _ context: ExecutionContext) throws -> [Tensor] {
        var total = try inputs.required(0)
        for index in 1..<max(1, inputs.count) {
            total = try mapNumeric(total, inputs.required(index), context, Sum.Function())
        }
        let divisor = Tensor(dataType: total.dataType, shape: [])
        let count = Double(inputs.count)
        guard let type = total.dataType.numericType else { throw KernelError("expects numeric inputs, got \(total.dataType)") }
        func fill<T: NumericElement>(_: T.Type) { divisor.withMutableElements(as: T.self) { $0[0] = T(castingFrom: count) } }
        fill(type)
        return [try mapNumeric(total, divisor, context, Div.Function())]
    }
}
