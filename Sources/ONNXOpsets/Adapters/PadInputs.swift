import FerryIR

/// Pad's pads and value: attributes before opset 11, inputs (int64 pads, a scalar constant
/// value) from it on.
struct PadInputs: OpsetAdapter {
    let opTypes: Set<String> = ["Pad"]
    let boundary = 11

    func upgrade(_ node: Node, _ context: inout AdapterContext) throws -> [Node] {
        var node = node
        guard case .ints(let pads)? = node.attributes.removeValue(forKey: "pads") else {
            throw OpsetError.notExpressible(node: node.label, what: "the required attribute 'pads' is missing", target: context.target, needs: "")
        }
        node.setInput(1, context.constant(Tensor(shape: [pads.count], values: pads.map { Int64($0) }), base: "\(node.name)_pads"))
        if case .float(let value)? = node.attributes.removeValue(forKey: "value"), value != 0 {
            let type = context.types[node.inputs[0]]?.dataType ?? .float32
            let tensor: Tensor = type == .float16 ? Tensor(scalar: Float16(value)) : type == .float64 ? Tensor(scalar: Double(value)) : Tensor(scalar: value)
            node.setInput(2, context.constant(tensor, base: "\(node.name)_value"))
        }
        return [node]
    }

    func downgrade(_ node: Node, _ context: inout AdapterContext) throws -> [Node] {
        var node = node
        guard let pads = try context.constantIntegers(node, input: 1) else {
            throw OpsetError.notExpressible(node: node.label, what: "input 1 (pads) is missing", target: context.target, needs: "")
        }
        node.attributes["pads"] = .ints(pads)
        if let name = node.input(2) {
            guard let value = context.constantValue(name) else { throw OpsetError.notConstant(node: node.label, input: name, target: context.target) }
            node.attributes["value"] = .float(Float(value.doubles().first ?? 0))
        }
        // An axes input (opset 18) stays and is refused by the schema check below 18.
        node.inputs = [node.inputs[0], "", ""] + node.inputs.dropFirst(3)
        node.inputs = node.trimmedInputs
        return [node]
    }
}
