import FerryIR

extension MILEmitter {
    func lowerBatchNormalization(_ node: Node) throws {
        guard node.outputs.count == 1 || node.outputs.dropFirst().allSatisfy(\.isEmpty) else { throw unsupported(node, "training outputs") }
        let out = node.outputs[0]
        let epsilon = try NodeAttributes(exporting: node).float("epsilon", default: 1e-5)
        try emit(node, "batch_norm", [("x", try input(node, 0)), ("mean", try input(node, 3)), ("variance", try input(node, 4)),
                                      ("gamma", try input(node, 1)), ("beta", try input(node, 2)), ("epsilon", float(epsilon, name: out + "_epsilon"))])
    }

    /// layer_norm over the axes from `axis` to the last.
    func lowerLayerNormalization(_ node: Node) throws {
        guard node.outputs.dropFirst().allSatisfy(\.isEmpty) else { throw unsupported(node, "the Mean/InvStdDev outputs") }
        let attributes = NodeAttributes(exporting: node)
        let rank = try self.rank(node.inputs[0], node)
        let axis = try self.axis(try attributes.int("axis", default: -1), rank: rank, node)
        let out = node.outputs[0]
        var inputs: [(String, String)] = [("x", try input(node, 0)), ("axes", int32s(Array(axis..<rank), name: out + "_axes")),
                                          ("gamma", try input(node, 1))]
        if node.input(2) != nil { inputs.append(("beta", try input(node, 2))) }
        inputs.append(("epsilon", float(try attributes.float("epsilon", default: 1e-5), name: out + "_epsilon")))
        try emit(node, "layer_norm", inputs)
    }
}
