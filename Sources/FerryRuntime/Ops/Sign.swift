import FerryIR

/// Sign: -1, 0 or 1 by the sign of each element.
struct Sign: Operator {
    static let opType = "Sign"

    init(_ node: NodeContext) throws {}

    struct Function: NumericUnaryFunction {
        func callAsFunction<T: NumericElement>(_ x: T) -> T { x > T.zero ? T(castingFrom: 1) : (x < T.zero ? T(castingFrom: -1) : T.zero) }
    }

    func run(_ inputs: [Tensor?], _ context: ExecutionContext) throws -> [Tensor] {
        [try mapNumeric(inputs.required(0), context, Function())]
    }
}
