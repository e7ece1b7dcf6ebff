import FerryIR

/// LpPool: the p-norm over each window.
struct LpPool: Operator {
    static let opType = "LpPool"
    let window: WindowAttributes
    let p: Int

    init(_ node: NodeContext) throws {
        window = try WindowAttributes(node, ceilMode: true)
        guard window.kernelShape != nil else { throw node.invalid("kernel_shape", "is required") }
        p = try node.int("p", default: 2)
    }

    func run(_ inputs: [Tensor?], _ context: ExecutionContext) throws -> [Tensor] {
        try computingInFloat32(inputs) { inputs in
            let x = try inputs.required(0)
            let geometry = try window.resolve(input: Array(x.shape[2...]), kernel: window.kernelShape!)
            return [Pooling.run(x, geometry: geometry, kind: .lp(p: Float(p)), context: context).0]
        }
    }
}
