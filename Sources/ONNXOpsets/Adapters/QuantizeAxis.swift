import FerryIR

/// QuantizeLinear and DequantizeLinear take per-axis scales (the `axis` attribute with a 1-D
/// scale) from opset 13; before it the scale is one scalar.
struct QuantizeAxis: OpsetAdapter {
    let opTypes: Set<String> = ["QuantizeLinear", "DequantizeLinear"]
    let boundary = 13

    func upgrade(_ node: Node, _ context: inout AdapterContext) throws -> [Node] { [node] }

    func downgrade(_ node: Node, _ context: inout AdapterContext) throws -> [Node] {
        var node = node
        let scale = node.input(1).flatMap { context.constantValue($0) }
        let count = scale?.count ?? context.types[node.input(1) ?? ""]?.shape.map { $0.reduce(1) { $0 * ($1.value ?? 2) } }
        guard let count, count == 1 else {
            var axis = 1
            if case .int(let value)? = node.attributes["axis"] { axis = value }
            let what = "per-channel scales" + (scale.map { " (\($0.count) along axis \(axis))" } ?? "")
            throw OpsetError.notExpressible(node: node.label, what: what, target: context.target, needs: "need opset 13")
        }
        node.attributes["axis"] = nil
        return [node]
    }
}
