import CFerryKernels
import FerryIR

/// Add: a + b, with multidirectional broadcasting.
struct Add: Operator {
    static let opType = "Add"

    init(_ node: NodeContext) throws {}

    struct Function: NumericBinaryFunction {
        static var float32Kernel: Int32? { Int32(FERRY_BINARY_ADD) }
        @inline(__always)
        func callAsFunction<T: NumericElement>(_ a: T, _ b: T) -> T { T.add(a, b) }
    }

    func run(_ inputs: [Tensor?], _ context: ExecutionContext) throws -> [Tensor] {
        [try mapNumeric(inputs.required(0), inputs.required(1), context, Function())]
    }
}
