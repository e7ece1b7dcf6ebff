import FerryIR

extension MILEmitter {
    /// reduce_* over the given axes (attribute, or input 1 from opset 18 / ReduceSum 13), all when none.
    func lowerReduce(_ node: Node, _ type: String) throws {
        let attributes = NodeAttributes(exporting: node)
        let rank = try self.rank(node.inputs[0], node)
        var axes = try intsFromInputOrAttribute(node, input: 1, attribute: "axes")
        if axes?.isEmpty ?? true {
            if try attributes.int("noop_with_empty_axes", default: 0) != 0 {
                alias(node, to: try input(node, 0))
                return
            }
            axes = Array(0..<rank)
        }
        let normalized = try axes!.map { try axis($0, rank: rank, node) }.sorted()
        let out = node.outputs[0]
        try emit(node, type, [("x", try input(node, 0)), ("axes", int32s(normalized, name: out + "_axes")),
                              ("keep_dims", bool(try attributes.int("keepdims", default: 1) != 0, name: out + "_keep_dims"))])
    }

    /// reduce_argmax/argmin: int32 indices (the ONNX int64 output is int32 in Core ML).
    func lowerArgExtreme(_ node: Node, _ type: String) throws {
        let attributes = NodeAttributes(exporting: node)
        guard try attributes.int("select_last_index", default: 0) == 0 else { throw unsupported(node, "select_last_index 1") }
        let rank = try self.rank(node.inputs[0], node)
        let out = node.outputs[0]
        try emit(node, type, [("x", try input(node, 0)),
                              ("axis", int32s([try axis(try attributes.int("axis", default: 0), rank: rank, node)], name: out + "_axis", scalar: true)),
                              ("keep_dims", bool(try attributes.int("keepdims", default: 1) != 0, name: out + "_keep_dims"))])
    }

    func lowerGlobalPool(_ node: Node, _ type: String) throws {
        let rank = try self.rank(node.inputs[0], node)
        let out = node.outputs[0]
        try emit(node, type, [("x", try input(node, 0)), ("axes", int32s(Array(2..<rank), name: out + "_axes")),
                              ("keep_dims", bool(true, name: out + "_keep_dims"))])
    }
}
