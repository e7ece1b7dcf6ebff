import CFerryKernels
import FerryIR

/// Sum: the element-wise sum over any number of inputs, with broadcasting.
struct Sum: Operator {
    static let opType = "Sum"

    init(_ node: NodeContext) throws {}

    struct Function: NumericBinaryFunction {
        static var float32Kernel: Int32? { Int32(FERRY_BINARY_ADD) }
        func callAsFunction<T: NumericElement>(_ a: T, _ b: T) -> T { T.add(a, b) }
    }

    func run(_ inputs: [Tensor?], _ context: ExecutionContext) throws -> [Tensor] {
        var result = try inputs.required(0)
        for index in 1..<max(1, inputs.count) {
            result = try mapNumeric(result, inputs.required(index), context, Function())
        }
        return [inputs.count == 1 ? result.copy() : result]
    }
}
