import FerryIR

extension TFLiteEmitter {
    /// LayerNormalization as MEAN, SUB, MUL, MEAN, ADD, RSQRT, MUL, MUL, ADD over the normalized
    /// axes, in whatever layout the input is stored in.
    func lowerLayerNormalization(_ node: Node) throws {
        guard node.outputs.dropFirst().allSatisfy({ $0.isEmpty || consumers[$0] == nil && !graphOutputs.contains($0) }) else {
            throw unsupported(node, "the Mean / InvStdDev outputs")
        }
        let x = node.inputs[0], out = node.outputs[0]
        let shape = try self.shape(x)
        let rank = shape.count
        let attributes = NodeAttributes(exporting: node)
        let first = try axis(try attributes.int("axis", default: -1), rank: rank, node)
        let epsilon = try attributes.float("epsilon", default: 1e-5)
        let perm = try self.perm(x)
        let inverse = Permutation.inverse(perm)
        let storedShape = Permutation.apply(perm, to: shape)
        var reducedShape = storedShape
        for axis in first..<rank { reducedShape[inverse[axis]] = 1 }
        let axes = try int32Constant((first..<rank).map { inverse[$0] }.sorted(), name: "\(out)/axes")
        let input = try tensor(x, perm: perm)
        func intermediate(_ suffix: String, _ shape: [Int]) throws -> Int32 {
            try addTensor(name: "\(out)/\(suffix)", shape: shape, type: .float32)
        }
        let mean = try intermediate("mean", reducedShape)
        emit(.mean, inputs: [input, axes], outputs: [mean], options: .reducer(keepDims: true))
        let centered = try intermediate("centered", storedShape)
        emit(.sub, inputs: [input, mean], outputs: [centered], options: .sub(activation: .none))
        let squared = try intermediate("squared", storedShape)
        emit(.mul, inputs: [centered, centered], outputs: [squared], options: .mul(activation: .none))
        let variance = try intermediate("variance", reducedShape)
        emit(.mean, inputs: [squared, axes], outputs: [variance], options: .reducer(keepDims: true))
        let shifted = try intermediate("variance_eps", reducedShape)
        emit(.add, inputs: [variance, try floatConstant([epsilon], shape: [], name: "\(out)/epsilon")], outputs: [shifted],
             options: .add(activation: .none))
        let inverseStd = try intermediate("inv_std", reducedShape)
        emit(.rsqrt, inputs: [shifted], outputs: [inverseStd])
        let normalized = "\(out)/normalized"
        let normalizedTensor = try addTensor(name: normalized, shape: storedShape, type: .float32)
        emit(.mul, inputs: [centered, inverseStd], outputs: [normalizedTensor], options: .mul(activation: .none))
        alias(normalized, to: StoredValue(tensor: normalizedTensor, perm: perm))
        shapes[normalized] = shape
        types[normalized] = .float32
        let scale = node.inputs[1]
        if let biasName = node.input(2) {
            let scaled = "\(out)/scaled"
            shapes[scaled] = shape
            types[scaled] = .float32
            try lowerBinary(node, .mul, inputs: [normalized, scale], output: scaled, fixedOptions: .mul(activation: .none))
            try lowerBinary(node, .add, inputs: [scaled, biasName], output: out, options: { .add(activation: $0) })
        } else {
            try lowerBinary(node, .mul, inputs: [normalized, scale], output: out, options: { .mul(activation: $0) })
        }
    }

    /// The Erf form of GELU, `x · 0.5 · (1 + erf(x / √2))` in any of the association orders
    /// exporters write, found from its Erf node: the nodes it spans and x.
    func matchErfGelu(erfIndex: Int, producers: [String: Int]) -> (nodes: [Int], x: String, output: String)? {
        let nodes = graph.nodes
        let erf = nodes[erfIndex]
        func near(_ name: String, _ target: Double) -> Bool {
            guard let c = constants[name], c.count == 1 else { return false }
            return abs(c.doubles()[0] - target) <= 1e-4 * abs(target)
        }
        func other(_ node: Node, than name: String) -> String? {
            guard node.inputs.count == 2, node.inputs.contains(name) else { return nil }
            return node.inputs[0] == name ? node.inputs[1] : node.inputs[0]
        }
        func sole(_ value: String) -> (Int, Node)? { soleConsumer(of: value) }
        guard let preIndex = producers[erf.inputs[0]], sole(erf.inputs[0])?.0 == erfIndex else { return nil }
        let pre = nodes[preIndex]
        let x: String
        if pre.opType == "Div", near(pre.inputs[1], 2.0.squareRoot()) { x = pre.inputs[0] }
        else if pre.opType == "Mul", let c = pre.inputs.first(where: { near($0, 0.5.squareRoot()) }), let v = other(pre, than: c) { x = v }
        else { return nil }
        guard let (addIndex, add) = sole(erf.outputs[0]), add.opType == "Add",
              let one = other(add, than: erf.outputs[0]), near(one, 1),
              let (m1Index, m1) = sole(add.outputs[0]), m1.opType == "Mul", let u = other(m1, than: add.outputs[0]) else { return nil }
        var span = [preIndex, erfIndex, addIndex, m1Index]
        if u == x || near(u, 0.5) {
            guard let (m2Index, m2) = sole(m1.outputs[0]), m2.opType == "Mul", let v = other(m2, than: m1.outputs[0]),
                  u == x ? near(v, 0.5) : v == x else { return nil }
            span.append(m2Index)
            return (span, x, m2.outputs[0])
        }
        guard let hIndex = producers[u], sole(u)?.0 == m1Index else { return nil }
        let h = nodes[hIndex]
        guard h.opType == "Mul", let half = other(h, than: x), near(half, 0.5) else { return nil }
        span.append(hIndex)
        return (span, x, m1.outputs[0])
    }

    /// GELU(x) for a matched Erf pattern.
    func emitGelu(x: String, output: String) throws {
        let perm = try self.perm(x)
        let input = try tensor(x, perm: perm)
        let y = try define(output, perm: perm)
        emit(.gelu, inputs: [input], outputs: [y], options: .gelu(approximate: false))
    }
}
