import FerryIR

/// Softmax: the normalized exponentials along axis (default axis 1 before opset 13 with 2-D coercion, -1 from 13 on).
struct Softmax: Operator {
    static let opType = "Softmax"
    let axis: Int
    let opset: Int

    init(_ node: NodeContext) throws {
        opset = node.opset
        axis = try node.int("axis", default: node.opset < 13 ? 1 : -1)
    }

    func run(_ inputs: [Tensor?], _ context: ExecutionContext) throws -> [Tensor] {
        try computingInFloat32(inputs) { inputs in
            [try SoftmaxKernel.run(inputs.required(0), axis: axis, opset: opset, kind: .softmax, context)]
        }
    }
}
