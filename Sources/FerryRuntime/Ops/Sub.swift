import CFerryKernels
import FerryIR

/// Sub: a - b, with multidirectional broadcasting.
struct Sub: Operator {
    static let opType = "Sub"

    init(_ node: NodeContext) throws {}

    struct Function: NumericBinaryFunction {
        static var float32Kernel: Int32? { Int32(FERRY_BINARY_SUB) }
        @inline(__always)
        func callAsFunction<T: NumericElement>(_ a: T, _ b: T) -> T { T.subtract(a, b) }
    }

    func run(_ inputs: [Tensor?], _ context: ExecutionContext) throws -> [Tensor] {
        [try mapNumeric(inputs.required(0), inputs.required(1), context, Function())]
    }
}
