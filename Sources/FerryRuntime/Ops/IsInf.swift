import FerryIR

/// IsInf: whether each element is infinite, optionally only one sign of infinity.
struct IsInf: Operator {
    static let opType = "IsInf"
    let detectNegative: Bool
    let detectPositive: Bool

    init(_ node: NodeContext) throws {
        detectNegative = try node.int("detect_negative", default: 1) != 0
        detectPositive = try node.int("detect_positive", default: 1) != 0
    }

    func run(_ inputs: [Tensor?], _ context: ExecutionContext) throws -> [Tensor] {
        let x = try inputs.required(0)
        guard let type = x.dataType.floatType else { throw KernelError("expects a floating-point input, got \(x.dataType)") }
        let negative = detectNegative, positive = detectPositive
        func open<T: FloatElement>(_: T.Type) -> Tensor {
            mapUnary(x, context) { (v: T) -> Bool in v.isInfinite && ((v > 0 && positive) || (v < 0 && negative)) }
        }
        return [open(type)]
    }
}
