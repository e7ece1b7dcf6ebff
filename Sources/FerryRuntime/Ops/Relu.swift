import FerryIR

/// Relu: max(x, 0) for each element.
struct Relu: Operator {
    static let opType = "Relu"

    init(_ node: NodeContext) throws {}

    struct Function: NumericUnaryFunction {
        func callAsFunction<T: NumericElement>(_ x: T) -> T { x > T.zero ? x : T.zero }
    }

    func run(_ inputs: [Tensor?], _ context: ExecutionContext) throws -> [Tensor] {
        [try mapNumeric(inputs.required(0), context, Function())]
    }
}
