import FerryIR

/// Greater: a > b, element by element with broadcasting; the result is bool.
struct Greater: Operator {
    static let opType = "Greater"

    init(_ node: NodeContext) throws {}

    struct Function: NumericComparison {
        func callAsFunction<T: NumericElement>(_ a: T, _ b: T) -> Bool { a > b }
    }

    func run(_ inputs: [Tensor?], _ context: ExecutionContext) throws -> [Tensor] {
        [try compare(inputs.required(0), inputs.required(1), context, Function())]
    }
}
