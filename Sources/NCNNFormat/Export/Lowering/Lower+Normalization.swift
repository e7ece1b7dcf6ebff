import FerryIR

extension NCNNEmitter {
    /// Softmax over one axis (opset 13+, or the last axis before, where ONNX flattens) → Softmax.
    func lowerSoftmax(_ node: Node) throws {
        guard let x = node.input(0) else { throw unsupported(node, "input 0 is missing") }
        let s = try shape(x)
        let defaultAxis = (graphOpset >= 13) ? -1 : 1
        let axis = try self.axis(try NodeAttributes(exporting: node).int("axis", default: defaultAxis), rank: s.count, node)
        if graphOpset < 13 && axis != s.count - 1 && s[(axis + 1)...].contains(where: { $0 != 1 }) {
            throw unsupported(node, "opset \(graphOpset) Softmax flattens from axis \(axis); only the last axis is mapped")
        }
        let (mapped, inLayout) = try ncnnAxis(x, axis, node)
        let output = node.outputs[0]
        let blob = newBlob(output)
        try emit("Softmax", name: node.name.isEmpty ? output : node.name, inputs: [try self.blob(x)], outputs: [blob],
                 params: [0: .int(mapped), 1: .int(1)])
        define(output, blob: blob, shape: inLayout.shape)
    }

    /// ReduceMean/Sum/Max/Min over constant axes → Reduction (keepdims, the output viewed as
    /// ONNX shapes it; reduced unit axes are no-ops).
    func lowerReduce(_ node: Node, operation: Int) throws {
        guard let x = node.input(0) else { throw unsupported(node, "input 0 is missing") }
        let s = try shape(x), output = node.outputs[0]
        let inLayout = try layout(x)
        let a = NodeAttributes(exporting: node)
        var axes = try intsFromInputOrAttribute(node, input: 1, attribute: "axes")
        if node.opType == "ReduceSum" && graphOpset < 13 { axes = try a.ints("axes") }
        if axes == nil || axes!.isEmpty {
            if try a.int("noop_with_empty_axes", default: 0) != 0 { return try alias(output, to: x, node: node) }
            axes = Array(s.indices)
        }
        let normalized = try axes!.map { try self.axis($0, rank: s.count, node) }
        let mapped = normalized.filter { s[$0] != 1 }.map { inLayout.ncnnAxis($0)! }
        if mapped.isEmpty { return try alias(output, to: x, node: node) }
        let blob = newBlob(output)
        try emit("Reduction", name: node.name.isEmpty ? output : node.name, inputs: [try self.blob(x)], outputs: [blob],
                 params: [0: .int(operation), 1: .int(0), 3: .ints(mapped.sorted()), 4: .int(1), 5: .int(1)])
        var reduced = inLayout.shape
        for axis in mapped { reduced[axis] = 1 }
        define(output, blob: blob, shape: reduced)
    }

    /// LayerNormalization over the last axis → LayerNorm on rows of the last axis.
    func lowerLayerNormalization(_ node: Node) throws {
        guard let x = node.input(0) else { throw unsupported(node, "input 0 is missing") }
        let s = try shape(x), output = node.outputs[0]
        let a = NodeAttributes(exporting: node)
        let axis = try self.axis(try a.int("axis", default: -1), rank: s.count, node)
        guard axis == s.count - 1 else { throw unsupported(node, "normalization over axes \(axis)…\(s.count - 1); NCNN's LayerNorm is mapped for the last axis") }
        let width = s[axis], rows = s.dropLast().reduce(1, *)
        let gamma = try floats(try constantInput(node, 1), node.inputs[1])
        let beta = node.input(2) != nil ? try floats(try constantInput(node, 2), node.inputs[2]) : Array(repeating: 0, count: width)
        guard gamma.count == width, beta.count == width else { throw unsupported(node, "scale or bias broadcast over the normalized axis") }
        let view = rows == 1 ? [width] : [rows, width]
        let blob = newBlob(output)
        try emit("LayerNorm", name: node.name.isEmpty ? output : node.name, inputs: [try self.blob(x, shape: view)], outputs: [blob],
                 params: [0: .int(width), 1: .float(try a.float("epsilon", default: 1e-5)), 2: .int(1)]) { w in
            w.append(gamma, .rawFloat32)
            w.append(beta, .rawFloat32)
        }
        define(output, blob: blob, shape: view)
    }

    /// BatchNormalization (inference) over axis 1 → BatchNorm (NCNN's per-channel axis is the outermost).
    func lowerBatchNormalization(_ node: Node) throws {
        guard let x = node.input(0) else { throw unsupported(node, "input 0 is missing") }
        let s = try shape(x), output = node.outputs[0]
        guard s.count >= 2, s[0] == 1 else { throw unsupported(node, "a batch of more than one sample") }
        let channels = s[1]
        let epsilon = try NodeAttributes(exporting: node).float("epsilon", default: 1e-5)
        let scale = try floats(try constantInput(node, 1), node.inputs[1]), bias = try floats(try constantInput(node, 2), node.inputs[2])
        let mean = try floats(try constantInput(node, 3), node.inputs[3]), variance = try floats(try constantInput(node, 4), node.inputs[4])
        let rest = s.dropFirst(2).reduce(1, *)
        let shape = s.count == 4 ? try layout(x).shape : rest == 1 ? [channels] : [channels, rest]
        let blob = newBlob(output)
        try emit("BatchNorm", name: node.name.isEmpty ? output : node.name, inputs: [try self.blob(x, shape: shape)], outputs: [blob],
                 params: [0: .int(channels), 1: .float(epsilon)]) { w in
            w.append(scale, .rawFloat32)
            w.append(mean, .rawFloat32)
            w.append(variance, .rawFloat32)
            w.append(bias, .rawFloat32)
        }
        define(output, blob: blob, shape: shape)
    }
}
