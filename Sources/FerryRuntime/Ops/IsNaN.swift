import FerryIR

/// IsNaN: whether each element is not a number.
struct IsNaN: Operator {
    static let opType = "IsNaN"

    init(_ node: NodeContext) throws {}

    func run(_ inputs: [Tensor?], _ context: ExecutionContext) throws -> [Tensor] {
        let x = try inputs.required(0)
        guard let type = x.dataType.floatType else { throw KernelError("expects a floating-point input, got \(x.dataType)") }
        func open<T: FloatElement>(_: T.Type) -> Tensor { mapUnary(x, context) { (v: T) -> Bool in v.isNaN } }
        return [open(type)]
    }
}
