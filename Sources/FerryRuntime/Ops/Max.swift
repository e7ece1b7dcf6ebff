import FerryIR

/// Max: the element-wise maximum (NaN propagates) over any number of inputs, with broadcasting.
struct Max: Operator {
    static let opType = "Max"

    init(_ node: NodeContext) throws {}

    struct Function: NumericBinaryFunction {
        func callAsFunction<T: NumericElement>(_ a: T, _ b: T) -> T { (a != a) ? a : ((b != b) ? b : (a < b ? b : a)) }
    }

    func run(_ inputs: [Tensor?], _ context: ExecutionContext) throws -> [Tensor] {
        var result = try inputs.required(0)
        for index in 1..<max(1, inputs.count) {
            result = try mapNumeric(result, inputs.required(index), context, Function())
        }
        return [inputs.count == 1 ? result.copy() : result]
    }
}
