import FerryIR

extension TFLiteEmitter {
    /// A one-input op that keeps its input's layout.
    func lowerUnary(_ node: Node, _ op: TFLiteBuiltinOperator, _ options: TFLiteOptions = .none) throws {
        let input = node.inputs[0]
        let perm = try self.perm(input)
        let x = try tensor(input, perm: perm)
        let y = try define(node.outputs[0], perm: perm)
        emit(op, inputs: [x], outputs: [y], options: options)
    }

    /// The layout a broadcasting op works in: that of its first full-rank runtime input stored
    /// in a non-source layout, so that NHWC chains stay NHWC; constants follow it for free.
    func broadcastLayout(_ inputs: [String], rank: Int) throws -> [Int] {
        for input in inputs where !isConstant(input) {
            let perm = try self.perm(input)
            if perm.count == rank && !Permutation.isIdentity(perm) { return perm }
        }
        return Permutation.identity(rank)
    }

    /// A two-input broadcasting op; `options` builds its options from the fused activation.
    func lowerBinary(_ node: Node, _ op: TFLiteBuiltinOperator, inputs: [String]? = nil, output: String? = nil,
                     options: ((TFLiteActivation) -> TFLiteOptions)? = nil, fixedOptions: TFLiteOptions = .none) throws {
        let operands = inputs ?? [node.inputs[0], node.inputs[1]]
        let out = output ?? node.outputs[0]
        let rank = try self.rank(out)
        let perm = try broadcastLayout(operands, rank: rank)
        let a = try tensor(operands[0], alignedTo: rank, perm: perm)
        let b = try tensor(operands[1], alignedTo: rank, perm: perm)
        var activation = TFLiteActivation.none
        var name = out
        if options != nil { (activation, name) = try fuseActivation(after: out) }
        let y = try define(name, perm: perm)
        emit(op, inputs: [a, b], outputs: [y], options: options?(activation) ?? fixedOptions)
    }

    /// Max/Min of one or two inputs (more would need a chain; no exporter we know writes that).
    func lowerVariadic(_ node: Node, _ op: TFLiteBuiltinOperator, _ options: TFLiteOptions) throws {
        let inputs = node.inputs.filter { !$0.isEmpty }
        switch inputs.count {
        case 1: try lowerIdentity(node)
        case 2: try lowerBinary(node, op, inputs: inputs, fixedOptions: options)
        default: throw unsupported(node, "\(inputs.count) inputs; TFLite's form takes two")
        }
    }

    func lowerIdentity(_ node: Node) throws {
        let input = node.inputs[0]
        if let constant = constants[input] {
            constants[node.outputs[0]] = constant
            return
        }
        guard let stored = stored(input) else { throw TFLiteExportError.preparation("value '\(input)' is used before it is defined") }
        alias(node.outputs[0], to: stored)
    }

    func lowerClip(_ node: Node) throws {
        let (low, high) = try clipBounds(node)
        switch (low, high) {
        case (0, 6): try lowerUnary(node, .relu6)
        case (0, Float.infinity): try lowerUnary(node, .relu)
        case (-1, 1): try lowerUnary(node, .reluN1To1)
        default:
            let input = node.inputs[0], out = node.outputs[0]
            let perm = try self.perm(input)
            let shape = Permutation.apply(perm, to: try self.shape(input))
            var current = try tensor(input, perm: perm)
            let steps = [(TFLiteBuiltinOperator.maximum, low, "min"), (.minimum, high, "max")].filter { $0.1.isFinite }
            guard !steps.isEmpty else { return try lowerIdentity(node) }
            for (i, (op, bound, suffix)) in steps.enumerated() {
                let boundTensor = try floatConstant([bound], shape: [], name: "\(out)/\(suffix)")
                let output = i == steps.count - 1 ? try define(out, perm: perm)
                    : try addTensor(name: "\(out)/\(suffix)ed", shape: shape, type: .float32)
                emit(op, inputs: [current, boundTensor], outputs: [output], options: .empty(.maximumMinimum))
                current = output
            }
        }
    }

    /// HardSigmoid(x) = clamp(αx + β, 0, 1) = relu6(6αx + 6β) / 6.
    func lowerHardSigmoid(_ node: Node) throws {
        let attributes = NodeAttributes(exporting: node)
        let alpha = try attributes.float("alpha", default: 0.2), beta = try attributes.float("beta", default: 0.5)
        let input = node.inputs[0], out = node.outputs[0]
        let perm = try self.perm(input)
        let shape = Permutation.apply(perm, to: try self.shape(input))
        var current = try tensor(input, perm: perm)
        if 6 * alpha != 1 {
            let scaled = try addTensor(name: "\(out)/scaled", shape: shape, type: .float32)
            emit(.mul, inputs: [current, try floatConstant([6 * alpha], shape: [], name: "\(out)/6alpha")], outputs: [scaled],
                 options: .mul(activation: .none))
            current = scaled
        }
        let clamped = try addTensor(name: "\(out)/relu6", shape: shape, type: .float32)
        emit(.add, inputs: [current, try floatConstant([6 * beta], shape: [], name: "\(out)/6beta")], outputs: [clamped],
             options: .add(activation: .relu6))
        let y = try define(out, perm: perm)
        emit(.mul, inputs: [clamped, try floatConstant([1.0 / 6], shape: [], name: "\(out)/sixth")], outputs: [y],
             options: .mul(activation: .none))
    }

    func lowerReciprocal(_ node: Node) throws {
        let input = node.inputs[0]
        let perm = try self.perm(input)
        let x = try tensor(input, perm: perm)
        let one = try floatConstant([1], shape: [], name: "\(node.outputs[0])/one")
        let y = try define(node.outputs[0], perm: perm)
        emit(.div, inputs: [one, x], outputs: [y], options: .div(activation: .none))
    }

    func lowerCast(_ node: Node) throws {
        let input = node.inputs[0]
        guard let from = TFLiteTensorType(try type(input)), let to = TFLiteTensorType(try type(node.outputs[0])) else {
            throw unsupported(node, "cast between types TFLite does not have")
        }
        try lowerUnary(node, .cast, .cast(input: from, output: to))
    }

    func lowerLeakyRelu(_ node: Node) throws {
        try lowerUnary(node, .leakyRelu, .leakyRelu(alpha: try NodeAttributes(exporting: node).float("alpha", default: 0.01)))
    }

    func lowerElu(_ node: Node) throws {
        guard try NodeAttributes(exporting: node).float("alpha", default: 1) == 1 else { throw unsupported(node, "ELU has no alpha; only alpha = 1") }
        try lowerUnary(node, .elu)
    }

    func lowerGelu(_ node: Node) throws {
        let approximate = try NodeAttributes(exporting: node).string("approximate", default: "none")
        guard approximate == "none" || approximate == "tanh" else { throw unsupported(node, "approximate='\(approximate)'") }
        try lowerUnary(node, .gelu, .gelu(approximate: approximate == "tanh"))
    }

    func lowerPRelu(_ node: Node) throws {
        try lowerBinary(node, .prelu)
    }
}
