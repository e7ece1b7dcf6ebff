import FerryIR

extension TFLiteEmitter {
    /// FULLY_CONNECTED: `input [.., K] × weights[N, K]ᵀ + bias[N]`, with the activation fused.
    /// `weightSource` names the source constant and the permutation that made `weights`, so a
    /// weight the source stores as int8 is written as int8 (a hybrid op).
    func emitFullyConnected(_ node: Node, input: String, weights: Tensor, bias: [Float]?, output: String,
                            weightSource: (name: String, perm: [Int])? = nil) throws {
        var name = output
        var bias = bias
        let n = weights.shape[0]
        // An Add of a constant [N] vector right after becomes the bias.
        if let (addIndex, add) = soleConsumer(of: output), add.opType == "Add",
           let other = add.inputs.first(where: { $0 != output }), add.inputs.contains(output),
           let constant = constants[other], constant.dataType == .float32, constant.count == n, constant.shape.last == n,
           try rank(add.outputs[0]) == (try rank(output)) {
            let extra = constant.elements(as: Float.self)
            bias = (bias ?? Array(repeating: 0, count: n)).enumerated().map { $0.element + extra[$0.offset] }
            absorbed.insert(addIndex)
            name = add.outputs[0]
        }
        let (activation, final) = try fuseActivation(after: name)
        let rank = try self.rank(input)
        // keep_num_dims copies the input's leading dims, so it needs the exact source shape;
        // otherwise FULLY_CONNECTED flattens them and only the element order matters.
        let x = rank > 2 ? try tensor(input, perm: Permutation.identity(rank)) : try tensorInSourceOrder(input)
        let w = try weightSource.flatMap { try hybridWeight($0.name, perm: $0.perm, tensorName: "\(final)/weights") }
            ?? constant(weights, name: "\(final)/weights")
        let b = try bias.map { try constant(Tensor(shape: [n], values: $0), name: "\(final)/bias") } ?? -1
        let y = try define(final, perm: Permutation.identity(try self.rank(final)))
        emit(.fullyConnected, version: rank > 2 ? 5 : 1, inputs: [x, w, b], outputs: [y],
             options: .fullyConnected(.init(activation: activation, keepNumDims: rank > 2)))
    }

    func lowerMatMul(_ node: Node) throws {
        let a = node.inputs[0], b = node.inputs[1], out = node.outputs[0]
        let rankA = try rank(a), rankB = try rank(b)
        guard rankA >= 2 && rankB >= 2 else { throw unsupported(node, "a 1-D operand") }
        if let weights = constants[b], rankB == 2, weights.dataType == .float32 {
            return try emitFullyConnected(node, input: a, weights: transposed(weights, [1, 0]), bias: nil, output: out,
                                          weightSource: (b, [1, 0]))
        }
        // BATCH_MATMUL; an operand stored with its last two axes swapped is read as adjoint.
        func operand(_ name: String) throws -> (Int32, Bool) {
            let rank = try self.rank(name)
            let identity = Permutation.identity(rank)
            var swapped = identity
            swapped.swapAt(rank - 1, rank - 2)
            if !isConstant(name), let stored = stored(name), stored.perm == swapped { return (stored.tensor, true) }
            return (try tensor(name, perm: identity), false)
        }
        let (x, adjointX) = try operand(a)
        let (y, adjointY) = try operand(b)
        let result = try define(out, perm: Permutation.identity(try rank(out)))
        emit(.batchMatMul, inputs: [x, y], outputs: [result], options: .batchMatMul(adjointX: adjointX, adjointY: adjointY))
    }

    func lowerGemm(_ node: Node) throws {
        let attributes = NodeAttributes(exporting: node)
        let alpha = try attributes.float("alpha", default: 1), beta = try attributes.float("beta", default: 1)
        let transA = try attributes.int("transA", default: 0) == 1, transB = try attributes.int("transB", default: 0) == 1
        guard let bName = node.input(1), let b = constants[bName], b.dataType == .float32 else {
            throw TFLiteExportError.notConstant(node: node.label, op: node.opType, input: node.input(1) ?? "")
        }
        var weights = transB ? b : transposed(b, [1, 0])  // [N, K]
        if alpha != 1 { weights = Tensor(shape: weights.shape, values: weights.elements(as: Float.self).map { $0 * alpha }) }
        let n = weights.shape[0]
        var bias: [Float]? = nil
        if let cName = node.input(2) {
            guard let c = constants[cName] else { throw TFLiteExportError.notConstant(node: node.label, op: node.opType, input: cName) }
            let values = try floats(c, node)
            if values.count == 1 { bias = Array(repeating: values[0] * beta, count: n) }
            else if values.count == n && c.shape.last == n { bias = values.map { $0 * beta } }
            else { throw unsupported(node, "C of shape \(c.shape) is not a per-column bias") }
        }
        if transA {
            return try emitFullyConnectedTransposed(node, inputTensor: try tensor(node.inputs[0], perm: [1, 0]), weights: weights, bias: bias)
        }
        try emitFullyConnected(node, input: node.inputs[0], weights: weights, bias: bias, output: node.outputs[0],
                               weightSource: alpha == 1 ? (bName, transB ? [0, 1] : [1, 0]) : nil)
    }

    private func emitFullyConnectedTransposed(_ node: Node, inputTensor: Int32, weights: Tensor, bias: [Float]?) throws {
        let (activation, final) = try fuseActivation(after: node.outputs[0])
        let w = try constant(weights, name: "\(final)/weights")
        let b = try bias.map { try constant(Tensor(shape: [weights.shape[0]], values: $0), name: "\(final)/bias") } ?? -1
        let y = try define(final, perm: [0, 1])
        emit(.fullyConnected, inputs: [inputTensor, w, b], outputs: [y], options: .fullyConnected(.init(activation: activation, keepNumDims: false)))
    }
}
