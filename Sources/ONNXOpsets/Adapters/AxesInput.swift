import FerryIR

/// An integer-list attribute that became an int64 input at `boundary` (Squeeze/Unsqueeze axes
/// and Split sizes at 13, ReduceSum axes at 13, the other reductions' axes at 18).
struct AxesInput: OpsetAdapter {
    let opTypes: Set<String>
    let boundary: Int
    let attribute: String
    let index: Int

    func upgrade(_ node: Node, _ context: inout AdapterContext) throws -> [Node] {
        var node = node
        guard case .ints(let values)? = node.attributes.removeValue(forKey: attribute) else { return [node] }
        let name = context.constant(Tensor(shape: [values.count], values: values.map { Int64($0) }), base: "\(node.name)_\(attribute)")
        node.setInput(index, name)
        return [node]
    }

    func downgrade(_ node: Node, _ context: inout AdapterContext) throws -> [Node] {
        var node = node
        let values = try context.constantIntegers(node, input: index)
        // Before the boundary an absent or empty axes list reduces every axis; the later
        // noop_with_empty_axes=1 (return the input unchanged) has no older form.
        if case .int(let noop)? = node.attributes.removeValue(forKey: "noop_with_empty_axes"), noop != 0, values?.isEmpty ?? true {
            throw OpsetError.notExpressible(node: node.label, what: "noop_with_empty_axes=1 without axes", target: context.target,
                                            needs: "needs opset \(boundary)")
        }
        if let values, !values.isEmpty { node.attributes[attribute] = .ints(values) }
        if index < node.inputs.count { node.inputs[index] = "" }
        node.inputs = node.trimmedInputs
        return [node]
    }
}
