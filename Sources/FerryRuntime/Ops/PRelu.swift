import FerryIR

/// PRelu: x for x >= 0, slope*x below; slope broadcasts to x.
struct PRelu: Operator {
    static let opType = "PRelu"

    init(_ node: NodeContext) throws {}

    struct Function: NumericBinaryFunction {
        func callAsFunction<T: NumericElement>(_ x: T, _ slope: T) -> T { x < T.zero ? T.multiply(x, slope) : x }
    }

    func run(_ inputs: [Tensor?], _ context: ExecutionContext) throws -> [Tensor] {
        [try mapNumeric(inputs.required(0), inputs.required(1), context, Function())]
    }
}
