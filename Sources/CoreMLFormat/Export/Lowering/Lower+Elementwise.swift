import FerryIR

extension MILEmitter {
    func lowerUnary(_ node: Node, _ type: String) throws {
        try emit(node, type, [("x", try input(node, 0))])
    }

    /// Two-input ops with NumPy broadcasting (add, mul, …); Max/Min with two inputs only.
    func lowerBinary(_ node: Node, _ type: String) throws {
        guard node.inputs.filter({ !$0.isEmpty }).count == 2 else { throw unsupported(node, "only the two-input form is mapped") }
        try emit(node, type, [("x", try input(node, 0)), ("y", try input(node, 1))])
    }

    /// elu and leaky_relu: `alpha` from the attribute (ONNX default given).
    func lowerActivation(_ node: Node, _ type: String, alpha fallback: Float) throws {
        let alpha = try NodeAttributes(exporting: node).float("alpha", default: fallback)
        try emit(node, type, [("x", try input(node, 0)), ("alpha", float(alpha, name: node.outputs[0] + "_alpha"))])
    }

    func lowerHardSigmoid(_ node: Node) throws {
        let attributes = NodeAttributes(exporting: node)
        let alpha = try attributes.float("alpha", default: 0.2), beta = try attributes.float("beta", default: 0.5)
        try emit(node, "sigmoid_hard", [("x", try input(node, 0)), ("alpha", float(alpha, name: node.outputs[0] + "_alpha")),
                                         ("beta", float(beta, name: node.outputs[0] + "_beta"))])
    }

    /// x · hard_sigmoid(x; 1/6, 1/2), as coremltools lowers PyTorch's hardswish.
    func lowerHardSwish(_ node: Node) throws {
        let x = try input(node, 0), out = node.outputs[0]
        let type = try irTensorType(out, node)
        let gate = op("sigmoid_hard", [("x", x), ("alpha", float(1.0 / 6, name: out + "_alpha")), ("beta", float(0.5, name: out + "_beta"))],
                      output: out + "_gate", type)
        try emit(node, "mul", [("x", x), ("y", gate)])
    }

    func lowerGelu(_ node: Node) throws {
        let approximate = try NodeAttributes(exporting: node).string("approximate", default: "none")
        guard approximate == "none" || approximate == "tanh" else { throw unsupported(node, "approximate '\(approximate)'") }
        try emit(node, "gelu", [("x", try input(node, 0)), ("mode", string(approximate == "none" ? "EXACT" : "TANH_APPROXIMATION", name: node.outputs[0] + "_mode"))])
    }

    /// clip with both bounds; one bound alone becomes maximum/minimum (MIL's clip needs both).
    func lowerClip(_ node: Node) throws {
        let out = node.outputs[0]
        var low: Float?, high: Float?
        if opset < 11 {
            low = try NodeAttributes(exporting: node).float("min")
            high = try NodeAttributes(exporting: node).float("max")
        } else {
            if node.input(1) != nil { low = Float(try constantInput(node, 1).doubles().first ?? 0) }
            if node.input(2) != nil { high = Float(try constantInput(node, 2).doubles().first ?? 0) }
        }
        let x = try input(node, 0)
        switch (low, high) {
        case let (low?, high?):
            try emit(node, "clip", [("x", x), ("alpha", float(low, name: out + "_min")), ("beta", float(high, name: out + "_max"))])
        case let (low?, nil):
            try emit(node, "maximum", [("x", x), ("y", float(low, name: out + "_min"))])
        case let (nil, high?):
            try emit(node, "minimum", [("x", x), ("y", float(high, name: out + "_max"))])
        case (nil, nil):
            alias(node, to: x)
        }
    }

    func lowerSoftmax(_ node: Node) throws {
        let rank = try self.rank(node.inputs[0], node)
        let axis = try self.axis(try NodeAttributes(exporting: node).int("axis", default: opset >= 13 ? -1 : 1), rank: rank, node)
        // Before opset 13 Softmax flattens from `axis` on; that is MIL's softmax only on the last axis.
        guard opset >= 13 || axis == rank - 1 else { throw unsupported(node, "opset \(opset) Softmax over axes \(axis)… (flattened) is not the last axis") }
        try emit(node, "softmax", [("x", try input(node, 0)), ("axis", int32s([axis], name: node.outputs[0] + "_axis", scalar: true))])
    }

    /// cast to the MIL type of the target; float16 weights behind a Cast become constants.
    func lowerCast(_ node: Node) throws {
        guard let to = try NodeAttributes(exporting: node).int("to"), let target = DataType(rawValue: Int32(to)) else { throw unsupported(node, "missing or unknown 'to'") }
        let source = node.inputs[0]
        if let constant = graph.initializers[source] {
            values[node.outputs[0]] = try const(constant, name: node.outputs[0], weight: true)
            return
        }
        let x = try value(source, node)
        let type = try milType(target, value: node.outputs[0])
        if types[x]?.dataType == type {
            alias(node, to: x)
            return
        }
        try emit(node, "cast", [("x", x), ("dtype", string(type.description, name: node.outputs[0] + "_dtype"))])
    }
}
