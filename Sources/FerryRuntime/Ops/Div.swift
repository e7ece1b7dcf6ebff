import CFerryKernels
import FerryIR

/// Div: a / b (integers truncate toward zero), with multidirectional broadcasting.
struct Div: Operator {
    static let opType = "Div"

    init(_ node: NodeContext) throws {}

    struct Function: NumericBinaryFunction {
        static var float32Kernel: Int32? { Int32(FERRY_BINARY_DIV) }
        @inline(__always)
        func callAsFunction<T: NumericElement>(_ a: T, _ b: T) -> T { T.divide(a, b) }
    }

    func run(_ inputs: [Tensor?], _ context: ExecutionContext) throws -> [Tensor] {
        [try mapNumeric(inputs.required(0), inputs.required(1), context, Function())]
    }
}
