import FerryIR

/// ConstantOfShape: a tensor of the given shape filled with one value (float 0 by default).
struct ConstantOfShape: Operator {
    static let opType = "ConstantOfShape"
    static let shapeDependsOnValues: [Int] = [0]
    let value: Tensor

    init(_ node: NodeContext) throws {
        value = try node.tensor("value") ?? Tensor(scalar: Float(0))
        guard value.count == 1 else { throw node.invalid("value", "must hold exactly one element") }
    }

    func run(_ inputs: [Tensor?], _ context: ExecutionContext) throws -> [Tensor] {
        let shape = try inputs.required(0).integers()
        let count = try ShapeCheck.count(shape)
        return [value.reshaped([1]).gathering([Int](repeating: 0, count: count), shape: shape)]
    }
}
