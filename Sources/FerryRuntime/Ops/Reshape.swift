import FerryIR

/// Reshape: the same elements with a new shape; 0 copies the input's dimension (unless
/// allowzero) and one -1 is inferred.
struct Reshape: Operator {
    static let opType = "Reshape"
    static let shapeDependsOnValues: [Int] = [1]
    let allowZero: Bool
    let attributeShape: [Int]?

    init(_ node: NodeContext) throws {
        allowZero = try node.int("allowzero", default: 0) != 0
        attributeShape = node.opset < 5 ? try node.ints("shape") : nil
    }

    func run(_ inputs: [Tensor?], _ context: ExecutionContext) throws -> [Tensor] {
        let x = try inputs.required(0)
        let requested = try attributeShape ?? inputs.required(1).integers()
        return [x.reshaped(try Reshape.resolve(requested, input: x.shape, allowZero: allowZero))]
    }

    static func resolve(_ requested: [Int], input: [Int], allowZero: Bool) throws -> [Int] {
        var shape = requested
        var inferred: Int? = nil
        for (axis, dim) in requested.enumerated() {
            if dim == 0 && !allowZero {
                guard axis < input.count else { throw KernelError("shape \(requested) copies dimension \(axis), which input \(input) lacks") }
                shape[axis] = input[axis]
            } else if dim == -1 {
                guard inferred == nil else { throw KernelError("shape \(requested) has more than one -1") }
                inferred = axis
            } else if dim < 0 {
                throw KernelError("shape \(requested) has invalid dimension \(dim)")
            }
        }
        let total = input.reduce(1, *)
        try ShapeCheck.count(shape.map { $0 == -1 ? 1 : $0 })
        if let inferred {
            let known = shape.enumerated().filter { $0.offset != inferred }.map(\.element).reduce(1, *)
            guard known > 0, total % known == 0 else { throw KernelError("cannot reshape \(input) to \(requested)") }
            shape[inferred] = total / known
        }
        guard shape.reduce(1, *) == total else { throw KernelError("cannot reshape \(input) (\(total) elements) to \(requested)") }
        return shape
    }
}
