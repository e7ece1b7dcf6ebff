import FerryIR

/// Abs: the absolute value of each element.
struct Abs: Operator {
    static let opType = "Abs"

    init(_ node: NodeContext) throws {}

    struct Function: NumericUnaryFunction {
        func callAsFunction<T: NumericElement>(_ x: T) -> T { x < T.zero ? T.subtract(T.zero, x) : x }
    }

    func run(_ inputs: [Tensor?], _ context: ExecutionContext) throws -> [Tensor] {
        [try mapNumeric(inputs.required(0), context, Function())]
    }
}
