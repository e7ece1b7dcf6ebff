import FerryIR

extension MILEmitter {
    /// Reshape, Flatten, Squeeze and Unsqueeze: one reshape to the inferred static output shape.
    func lowerReshape(_ node: Node) throws {
        let shape = try staticShape(node.outputs[0], node)
        try emit(node, "reshape", [("x", try input(node, 0)), ("shape", int32s(shape, name: node.outputs[0] + "_shape"))])
    }

    func lowerTranspose(_ node: Node) throws {
        let rank = try self.rank(node.inputs[0], node)
        let perm = try NodeAttributes(exporting: node).ints("perm") ?? Array((0..<rank).reversed())
        try emit(node, "transpose", [("x", try input(node, 0)), ("perm", int32s(perm, name: node.outputs[0] + "_perm"))])
    }

    func lowerConcat(_ node: Node) throws {
        guard let axis = try NodeAttributes(exporting: node).int("axis") else { throw unsupported(node, "axis is missing") }
        let rank = try self.rank(node.outputs[0], node)
        let values = try node.inputs.filter { !$0.isEmpty }.map { try value($0, node) }
        let out = node.outputs[0]
        try emit(node, "concat", [("axis", int32s([try self.axis(axis, rank: rank, node)], name: out + "_axis", scalar: true)),
                                  ("interleave", bool(false, name: out + "_interleave"))], tuple: [("values", values)])
    }

    /// gather with int32 indices; constant negative indices are normalized (MIL's iOS 15 gather
    /// does not promise ONNX's wrap-around).
    func lowerGather(_ node: Node) throws {
        let shape = try staticShape(node.inputs[0], node)
        let axis = try self.axis(try NodeAttributes(exporting: node).int("axis", default: 0), rank: shape.count, node)
        let out = node.outputs[0]
        let indices: String
        if let constant = graph.initializers[node.inputs[1]] {
            let normalized = constant.integers().map { Int32($0 < 0 ? $0 + shape[axis] : $0) }
            indices = constValue(.tensor(Tensor(shape: constant.shape, values: normalized)), name: node.inputs[1])
        } else {
            indices = try input(node, 1)
        }
        try emit(node, "gather", [("x", try input(node, 0)), ("indices", indices),
                                  ("axis", int32s([axis], name: out + "_axis", scalar: true))])
    }

    /// slice_by_index with every axis spelled out from the static input shape.
    func lowerSlice(_ node: Node) throws {
        let shape = try staticShape(node.inputs[0], node)
        guard let starts = try intsFromInputOrAttribute(node, input: 1, attribute: "starts"),
              let ends = try intsFromInputOrAttribute(node, input: 2, attribute: "ends") else { throw unsupported(node, "starts/ends are missing") }
        let axes = try intsFromInputOrAttribute(node, input: 3, attribute: "axes") ?? Array(0..<starts.count)
        let steps = node.input(4) != nil ? try constantInput(node, 4).integers() : Array(repeating: 1, count: starts.count)
        var begin = shape.map { _ in 0 }, end = shape, stride = shape.map { _ in 1 }
        for (i, rawAxis) in axes.enumerated() {
            let axis = try self.axis(rawAxis, rank: shape.count, node), size = shape[axis], step = steps[i]
            guard step != 0 else { throw unsupported(node, "step 0") }
            func clamp(_ v: Int, _ low: Int, _ high: Int) -> Int { min(max(v < 0 ? v + size : v, low), high) }
            if step > 0 {
                begin[axis] = clamp(starts[i], 0, size)
                end[axis] = clamp(ends[i], 0, size)
            } else {
                guard ends[i] >= -size else { throw unsupported(node, "a negative step running past the start") }
                begin[axis] = clamp(starts[i], 0, size - 1)
                end[axis] = clamp(ends[i], -1, size - 1)
            }
            stride[axis] = step
        }
        let out = node.outputs[0]
        try emit(node, "slice_by_index", [("x", try input(node, 0)), ("begin", int32s(begin, name: out + "_begin")),
                                          ("end", int32s(end, name: out + "_end")), ("stride", int32s(stride, name: out + "_stride"))])
    }
}

extension MILEmitter {
    /// pad with every axis spelled out ([b0, e0, b1, e1, …], leading zeros included, as
    /// coremltools writes it); ONNX's edge mode is MIL's replicate. MIL pads fp16/fp32 only.
    func lowerPad(_ node: Node) throws {
        let shape = try staticShape(node.inputs[0], node)
        let plan = try PadPlan(node, shape: shape) { index in
            guard node.input(index) != nil else { return nil }
            return try constantInput(node, index)
        }
        if plan.isEmpty {
            alias(node, to: try input(node, 0))
            return
        }
        let x = try input(node, 0)
        guard let type = types[x], type.dataType == floatType else { throw unsupported(node, "a non-float input (MIL's pad takes fp16 or fp32)") }
        let out = node.outputs[0]
        try emit(node, "pad", [("x", x), ("pad", int32s(plan.interleaved, name: out + "_pad")),
                               ("mode", string(plan.mode.rawValue, name: out + "_mode")),
                               ("constant_val", float(plan.value, name: out + "_constant_val"))])
    }
}
