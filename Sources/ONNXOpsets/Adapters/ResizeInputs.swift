import FerryIR

/// Resize: opset 10 takes (X, scales) with asymmetric coordinates and floor rounding; 11 adds
/// roi, sizes and the mode attributes, all inputs required; 13 makes roi and scales optional.
struct ResizeInputs: OpsetAdapter {
    let opTypes: Set<String> = ["Resize"]
    let boundary = 13

    func upgrade(_ node: Node, _ context: inout AdapterContext) throws -> [Node] { [node] }

    /// Opset 11 and 12 need roi and scales present: absent ones become empty tensors.
    func downgrade(_ node: Node, _ context: inout AdapterContext) throws -> [Node] {
        var node = node
        for (index, base) in [(1, "roi"), (2, "scales")] where node.input(index) == nil {
            node.setInput(index, context.constant(Tensor(dataType: .float32, shape: [0]), base: "\(node.name)_\(base)"))
        }
        return [node]
    }
}

/// Resize-10 → 11: an empty roi goes between X and scales, and the opset-10 behaviour is
/// spelled out (asymmetric coordinates, floor rounding for nearest), as Ferry's kernel reads it.
struct ResizeTen: OpsetAdapter {
    let opTypes: Set<String> = ["Resize"]
    let boundary = 11

    func upgrade(_ node: Node, _ context: inout AdapterContext) throws -> [Node] {
        var node = node
        let roi = context.constant(Tensor(dataType: .float32, shape: [0]), base: "\(node.name)_roi")
        node.inputs = [node.inputs[0], roi] + node.inputs.dropFirst()
        node.attributes["coordinate_transformation_mode"] = .string("asymmetric")
        node.attributes["nearest_mode"] = .string("floor")
        return [node]
    }

    func downgrade(_ node: Node, _ context: inout AdapterContext) throws -> [Node] {
        throw OpsetError.notExpressible(node: node.label, what: "Resize", target: context.target, needs: "needs opset 11 (Ferry writes opset 11 and newer)")
    }
}
