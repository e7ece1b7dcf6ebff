import FerryIR

/// Neg: the negation of each element.
struct Neg: Operator {
    static let opType = "Neg"

    init(_ node: NodeContext) throws {}

    struct Function: NumericUnaryFunction {
        func callAsFunction<T: NumericElement>(_ x: T) -> T { T.subtract(T.zero, x) }
    }

    func run(_ inputs: [Tensor?], _ context: ExecutionContext) throws -> [Tensor] {
        [try mapNumeric(inputs.required(0), context, Function())]
    }
}
