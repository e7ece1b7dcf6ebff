import FerryIR

/// Softmax, LogSoftmax and Hardmax before opset 13 flatten the input to 2-D at `axis` (default 1)
/// and normalize over everything after it; from 13 on they normalize over `axis` alone
/// (default -1). The two agree when the axis is the last one; otherwise the node is wrapped:
/// Flatten → op → Reshape going up, Transpose → op → Transpose going down.
struct SoftmaxAxis: OpsetAdapter {
    let opTypes: Set<String> = ["Softmax", "LogSoftmax", "Hardmax"]
    let boundary = 13

    func upgrade(_ node: Node, _ context: inout AdapterContext) throws -> [Node] {
        let (axis, rank) = try normalized(node, default: 1, context)
        var core = node
        if axis == rank - 1 {
            core.attributes["axis"] = .int(axis)
            return [core]
        }
        let input = node.inputs[0], output = node.outputs[0]
        let flat = context.fresh("\(output)_flat"), normalized = context.fresh("\(output)_2d"), shape = context.fresh("\(output)_shape")
        core.inputs = [flat]
        core.outputs = [normalized]
        core.attributes["axis"] = .int(1)
        return [
            Node(name: context.fresh("\(node.name)_flatten"), opType: "Flatten", inputs: [input], outputs: [flat], attributes: ["axis": .int(axis)]),
            core,
            Node(name: context.fresh("\(node.name)_shape"), opType: "Shape", inputs: [input], outputs: [shape]),
            Node(name: context.fresh("\(node.name)_reshape"), opType: "Reshape", inputs: [normalized, shape], outputs: [output]),
        ]
    }

    func downgrade(_ node: Node, _ context: inout AdapterContext) throws -> [Node] {
        let (axis, rank) = try normalized(node, default: -1, context)
        var core = node
        core.attributes["axis"] = .int(rank - 1)
        if axis == rank - 1 { return [core] }
        var perm = Array(0..<rank)
        perm.swapAt(axis, rank - 1)
        let input = node.inputs[0], output = node.outputs[0]
        let moved = context.fresh("\(input)_axis_last"), result = context.fresh("\(output)_axis_last")
        core.inputs = [moved]
        core.outputs = [result]
        return [
            Node(name: context.fresh("\(node.name)_to_last"), opType: "Transpose", inputs: [input], outputs: [moved], attributes: ["perm": .ints(perm)]),
            core,
            Node(name: context.fresh("\(node.name)_from_last"), opType: "Transpose", inputs: [result], outputs: [output], attributes: ["perm": .ints(perm)]),
        ]
    }

    private func normalized(_ node: Node, default fallback: Int, _ context: AdapterContext) throws -> (axis: Int, rank: Int) {
        guard let rank = context.rank(node.inputs.first ?? "") else {
            throw OpsetError.notExpressible(node: node.label, what: "the axis changes meaning at opset 13 and the input's rank is unknown;",
                                            target: context.target, needs: "fix the input shapes (--input-shape) or keep the source opset")
        }
        var axis = fallback
        if case .int(let value)? = node.attributes["axis"] { axis = value }
        return (axis < 0 ? axis + rank : axis, rank)
    }
}
