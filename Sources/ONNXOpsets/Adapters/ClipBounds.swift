import FerryIR

/// Clip's min and max: float attributes before opset 11, optional scalar inputs from it on.
struct ClipBounds: OpsetAdapter {
    let opTypes: Set<String> = ["Clip"]
    let boundary = 11

    func upgrade(_ node: Node, _ context: inout AdapterContext) throws -> [Node] {
        var node = node
        let type = context.types[node.inputs.first ?? ""]?.dataType ?? .float32
        for (index, name) in [(1, "min"), (2, "max")] {
            guard let value = node.attributes.removeValue(forKey: name) else { continue }
            guard case .float(let bound) = value else {
                throw OpsetError.notExpressible(node: node.label, what: "attribute '\(name)' is \(value.typeName), not float,", target: context.target, needs: "")
            }
            node.setInput(index, context.constant(scalar(bound, type), base: "\(node.name)_\(name)"))
        }
        return [node]
    }

    func downgrade(_ node: Node, _ context: inout AdapterContext) throws -> [Node] {
        var node = node
        for (index, name) in [(1, "min"), (2, "max")] {
            guard let input = node.input(index) else { continue }
            guard let value = context.constantValue(input) else { throw OpsetError.notConstant(node: node.label, input: input, target: context.target) }
            node.attributes[name] = .float(Float(value.doubles().first ?? 0))
            node.inputs[index] = ""
        }
        node.inputs = node.trimmedInputs
        return [node]
    }

    private func scalar(_ value: Float, _ type: DataType) -> Tensor {
        switch type {
        case .float16: return Tensor(scalar: Float16(value))
        case .float64: return Tensor(scalar: Double(value))
        default: return Tensor(scalar: value)
        }
    }
}
