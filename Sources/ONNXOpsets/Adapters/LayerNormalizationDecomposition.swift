import FerryIR

/// LayerNormalization arrived in opset 17; below it, the function body the ONNX spec defines
/// it by: mean and variance over the axes from `axis` on, (x − mean) / √(var + ε) · scale + bias.
/// Only the Y output can be expressed (Mean and InvStdDev, when used, are refused).
struct LayerNormalizationDecomposition: OpsetAdapter {
    let opTypes: Set<String> = ["LayerNormalization"]
    let boundary = 17

    func upgrade(_ node: Node, _ context: inout AdapterContext) throws -> [Node] { [node] }

    func downgrade(_ node: Node, _ context: inout AdapterContext) throws -> [Node] {
        if node.outputs.dropFirst().contains(where: { !$0.isEmpty }) {
            throw OpsetError.notExpressible(node: node.label, what: "the Mean and InvStdDev outputs", target: context.target, needs: "need opset 17")
        }
        guard let rank = context.rank(node.inputs[0]) else {
            throw OpsetError.notExpressible(node: node.label, what: "LayerNormalization of an input of unknown rank", target: context.target, needs: "needs opset 17")
        }
        var axis = -1, epsilon: Float = 1e-5
        if case .int(let value)? = node.attributes["axis"] { axis = value }
        if case .float(let value)? = node.attributes["epsilon"] { epsilon = value }
        if axis < 0 { axis += rank }
        let type = context.types[node.inputs[0]]?.dataType ?? .float32
        let epsilonTensor: Tensor = type == .float16 ? Tensor(scalar: Float16(epsilon)) : type == .float64 ? Tensor(scalar: Double(epsilon)) : Tensor(scalar: epsilon)
        let base = node.name.isEmpty ? node.outputs[0] : node.name
        func value(_ suffix: String) -> String { context.fresh("\(base)_\(suffix)") }
        let mean = value("mean"), centered = value("centered"), squared = value("squared"), variance = value("variance")
        let shifted = value("variance_eps"), deviation = value("std"), normalized = value("normalized")
        let eps = context.constant(epsilonTensor, base: "\(base)_epsilon")
        let axes: Attribute = .ints(Array(axis..<rank))
        var nodes = [
            Node(name: value("reduce_mean"), opType: "ReduceMean", inputs: [node.inputs[0]], outputs: [mean], attributes: ["axes": axes, "keepdims": .int(1)]),
            Node(name: value("sub"), opType: "Sub", inputs: [node.inputs[0], mean], outputs: [centered]),
            Node(name: value("square"), opType: "Mul", inputs: [centered, centered], outputs: [squared]),
            Node(name: value("reduce_var"), opType: "ReduceMean", inputs: [squared], outputs: [variance], attributes: ["axes": axes, "keepdims": .int(1)]),
            Node(name: value("add_eps"), opType: "Add", inputs: [variance, eps], outputs: [shifted]),
            Node(name: value("sqrt"), opType: "Sqrt", inputs: [shifted], outputs: [deviation]),
            Node(name: value("div"), opType: "Div", inputs: [centered, deviation], outputs: [normalized]),
        ]
        if let bias = node.input(2) {
            let scaled = value("scaled")
            nodes.append(Node(name: value("scale"), opType: "Mul", inputs: [normalized, node.inputs[1]], outputs: [scaled]))
            nodes.append(Node(name: node.name, opType: "Add", inputs: [scaled, bias], outputs: [node.outputs[0]]))
        } else {
            nodes.append(Node(name: node.name, opType: "Mul", inputs: [normalized, node.inputs[1]], outputs: [node.outputs[0]]))
        }
        return nodes
    }
}
