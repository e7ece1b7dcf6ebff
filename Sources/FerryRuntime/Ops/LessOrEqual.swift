import FerryIR

/// LessOrEqual: a <= b, element by element with broadcasting; the result is bool.
struct LessOrEqual: Operator {
    static let opType = "LessOrEqual"

    init(_ node: NodeContext) throws {}

    struct Function: NumericComparison {
        func callAsFunction<T: NumericElement>(_ a: T, _ b: T) -> Bool { a <= b }
    }

    func run(_ inputs: [Tensor?], _ context: ExecutionContext) throws -> [Tensor] {
        [try compare(inputs.required(0), inputs.required(1), context, Function())]
    }
}
