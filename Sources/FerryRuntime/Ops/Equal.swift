import FerryIR

/// Equal: a == b, element by element with broadcasting; the result is bool.
struct Equal: Operator {
    static let opType = "Equal"

    init(_ node: NodeContext) throws {}

    struct Function: NumericComparison {
        func callAsFunction<T: NumericElement>(_ a: T, _ b: T) -> Bool { a == b }
    }

    func run(_ inputs: [Tensor?], _ context: ExecutionContext) throws -> [Tensor] {
        [try compare(inputs.required(0), inputs.required(1), context, Function())]
    }
}
