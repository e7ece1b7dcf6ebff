import FerryIR

/// HardSwish arrived in opset 14; below it, x · HardSigmoid(x; α = 1/6, β = 0.5), which is its
/// definition in the ONNX spec.
struct HardSwishDecomposition: OpsetAdapter {
    let opTypes: Set<String> = ["HardSwish"]
    let boundary = 14

    func upgrade(_ node: Node, _ context: inout AdapterContext) throws -> [Node] { [node] }

    func downgrade(_ node: Node, _ context: inout AdapterContext) throws -> [Node] {
        let x = node.inputs[0], gate = context.fresh("\(node.outputs[0])_gate")
        return [
            Node(name: context.fresh("\(node.name)_hardsigmoid"), opType: "HardSigmoid", inputs: [x], outputs: [gate],
                 attributes: ["alpha": .float(1.0 / 6.0), "beta": .float(0.5)]),
            Node(name: node.name, opType: "Mul", inputs: [x, gate], outputs: node.outputs),
        ]
    }
}
