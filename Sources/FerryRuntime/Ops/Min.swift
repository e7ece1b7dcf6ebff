import FerryIR

/// Min: the element-wise minimum (NaN propagates) over any number of inputs, with broadcasting.
struct Min: Operator {
    static let opType = "Min"

    init(_ node: NodeContext) throws {}

    struct Function: NumericBinaryFunction {
        func callAsFunction<T: NumericElement>(_ a: T, _ b: T) -> T { (a != a) ? a : ((b != b) ? b : (b < a ? b : a)) }
    }

    func run(_ inputs: [Tensor?], _ context: ExecutionContext) throws -> [Tensor] {
        var result = try inputs.required(0)
        for index in 1..<max(1, inputs.count) {
            result = try mapNumeric(result, inputs.required(index), context, Function())
        }
        return [inputs.count == 1 ? result.copy() : result]
    }
}
