import FerryIR

extension TFLiteEmitter {
    /// An LSTM unrolled over its static steps, for what TFLite's sequence op cannot hold:
    /// states fed by the graph and Y_c read (a streaming model carries both between calls),
    /// reverse and bidirectional runs, clip. Per direction, one FULLY_CONNECTED projects every
    /// step's input at once (bias included); each step adds the recurrent FULLY_CONNECTED of
    /// the previous h, SPLITs the gates (ONNX order i, o, f, c) and computes
    /// c = σ(f)·c₋₁ + σ(i)·tanh(g), h = σ(o)·tanh(c), with peepholes and clip as ONNX defines them.
    func lowerLSTMUnrolled(_ node: Node, _ spec: LSTMSpec) throws {
        let h = spec.hidden, batch = spec.batch, steps = spec.steps, count = spec.directions.count
        let base = node.name.isEmpty ? (node.outputs.first { !$0.isEmpty } ?? "lstm") : node.name
        // X in time-major order [steps, batch, input]: step t is rows t·batch ..< (t+1)·batch.
        let x = try tensor(node.inputs[0], perm: spec.batchMajor ? [1, 0, 2] : [0, 1, 2])
        let gateShape = [batch, 4 * h], stateShape = [batch, h]
        let fullyConnected = TFLiteOptions.fullyConnected(.init(activation: .none, keepNumDims: false))
        var outputs = Array(repeating: [Int32](repeating: -1, count: count), count: steps)
        var finalH: [Int32] = [], finalC: [Int32] = []
        for (d, direction) in spec.directions.enumerated() {
            let tag = count == 2 ? "\(base)/\(d == 0 ? "forward" : "backward")" : base
            let w = try constant(Tensor(shape: [4 * h, spec.inputSize], values: direction.w), name: "\(tag)/W")
            let r = try constant(Tensor(shape: [4 * h, h], values: direction.r), name: "\(tag)/R")
            let b = try constant(Tensor(shape: [4 * h], values: direction.bias), name: "\(tag)/B")
            let projected = try intermediate(.fullyConnected, [x, w, b], shape: [steps * batch, 4 * h], name: "\(tag)/input_gates",
                                             options: fullyConnected)
            let peepholes = try direction.peepholes.map { p in
                try (0..<3).map { try constant(Tensor(shape: [h], values: Array(p[$0 * h..<($0 + 1) * h])), name: "\(tag)/P\($0)") }
            }
            let clip = try spec.clip.map {
                (low: try floatConstant([-$0], shape: [], name: "\(tag)/clip_low"), high: try floatConstant([$0], shape: [], name: "\(tag)/clip_high"))
            }
            var hidden = try initialState(node, position: 5, direction: d, spec: spec, name: "\(tag)/initial_h")
            var cell = try initialState(node, position: 6, direction: d, spec: spec, name: "\(tag)/initial_c")
            for t in direction.reverse ? Array((0..<steps).reversed()) : Array(0..<steps) {
                let step = "\(tag)/step\(t)"
                var gates = projected
                if steps > 1 {
                    gates = try intermediate(.slice, [projected, try int32Constant([t * batch, 0], name: "\(step)/begin"),
                                                      try int32Constant(gateShape, name: "\(step)/size")],
                                             shape: gateShape, name: "\(step)/input_gates", options: .empty(.slice))
                }
                if let previous = hidden {
                    let recurrent = try intermediate(.fullyConnected, [previous, r, -1], shape: gateShape, name: "\(step)/recurrent_gates",
                                                     options: fullyConnected)
                    gates = try intermediate(.add, [gates, recurrent], shape: gateShape, name: "\(step)/gates", options: .add(activation: .none))
                }
                let parts = try ["i", "o", "f", "g"].map { try addTensor(name: "\(step)/\($0)", shape: stateShape, type: .float32) }
                emit(.split, inputs: [try int32Constant([1], shape: [], name: "\(step)/axis"), gates], outputs: parts, options: .split(numSplits: 4))
                // A gate's pre-activation: plus its peephole times a cell state, clipped.
                func preactivation(_ gate: Int, peephole: Int?, cell: Int32?) throws -> Int32 {
                    var value = parts[gate]
                    let name = tensorName(value)
                    if let peephole, let cell, let peepholes {
                        let product = try intermediate(.mul, [cell, peepholes[peephole]], shape: stateShape, name: "\(name)/peephole",
                                                       options: .mul(activation: .none))
                        value = try intermediate(.add, [value, product], shape: stateShape, name: "\(name)/with_peephole", options: .add(activation: .none))
                    }
                    if let clip {
                        value = try intermediate(.maximum, [value, clip.low], shape: stateShape, name: "\(name)/clip_low", options: .empty(.maximumMinimum))
                        value = try intermediate(.minimum, [value, clip.high], shape: stateShape, name: "\(name)/clip_high", options: .empty(.maximumMinimum))
                    }
                    return value
                }
                let input = try intermediate(.logistic, [try preactivation(0, peephole: 0, cell: cell)], shape: stateShape, name: "\(step)/input_gate")
                let candidate = try intermediate(.tanh, [try preactivation(3, peephole: nil, cell: nil)], shape: stateShape, name: "\(step)/candidate")
                var next = try intermediate(.mul, [input, candidate], shape: stateShape, name: "\(step)/c_new", options: .mul(activation: .none))
                if let previous = cell {
                    // With a zero previous cell state the forget gate multiplies nothing.
                    let forget = try intermediate(.logistic, [try preactivation(2, peephole: 2, cell: previous)], shape: stateShape,
                                                  name: "\(step)/forget_gate")
                    let kept = try intermediate(.mul, [forget, previous], shape: stateShape, name: "\(step)/c_kept", options: .mul(activation: .none))
                    next = try intermediate(.add, [kept, next], shape: stateShape, name: "\(step)/c", options: .add(activation: .none))
                }
                let output = try intermediate(.logistic, [try preactivation(1, peephole: 1, cell: next)], shape: stateShape, name: "\(step)/output_gate")
                let squashed = try intermediate(.tanh, [next], shape: stateShape, name: "\(step)/c_tanh")
                let state = try intermediate(.mul, [output, squashed], shape: stateShape, name: "\(step)/h", options: .mul(activation: .none))
                hidden = state
                cell = next
                outputs[t][d] = state
            }
            if let hidden, let cell {
                finalH.append(hidden)
                finalC.append(cell)
            }
        }
        // Y is [steps, dirs, batch, H] (layout 1: [batch, steps, dirs, H]); Y_h and Y_c are
        // [dirs, batch, H] (layout 1: [batch, dirs, H]). Each is its [batch, H] pieces in order,
        // joined along rows (layout 0) or columns (layout 1), then reshaped.
        let results = [outputs.flatMap { $0 }, finalH, finalC]
        for (position, pieces) in results.enumerated() where position < node.outputs.count && isRead(node.outputs[position]) {
            try emitJoined(pieces, into: node.outputs[position], batchMajor: spec.batchMajor, pieceShape: stateShape)
        }
    }

    /// Direction `direction`'s [batch, H] slice of a state input, or nil when it is absent or zero.
    private func initialState(_ node: Node, position: Int, direction: Int, spec: LSTMSpec, name: String) throws -> Int32? {
        guard let value = node.input(position) else { return nil }
        let count = spec.directions.count, batch = spec.batch, h = spec.hidden
        let expected = spec.batchMajor ? [batch, count, h] : [count, batch, h]
        guard try shape(value) == expected else { throw unsupported(node, "state '\(value)' of shape \(try shape(value)), not \(expected)") }
        if let constant = constants[value] {
            let all = try floats(constant, node)
            if all.allSatisfy({ $0 == 0 }) { return nil }
            var part: [Float] = []
            part.reserveCapacity(batch * h)
            for row in 0..<batch {
                let start = spec.batchMajor ? (row * count + direction) * h : (direction * batch + row) * h
                part += all[start..<start + h]
            }
            return try self.constant(Tensor(shape: [batch, h], values: part), name: name)
        }
        guard try type(value) == .float32 else { throw unsupported(node, "state '\(value)' of type \(try type(value))") }
        var source = try tensorInSourceOrder(value)
        if count > 1 {
            let begin = spec.batchMajor ? [0, direction, 0] : [direction, 0, 0]
            let size = spec.batchMajor ? [batch, 1, h] : [1, batch, h]
            source = try intermediate(.slice, [source, try int32Constant(begin, name: "\(name)/begin"), try int32Constant(size, name: "\(name)/size")],
                                      shape: size, name: "\(name)/slice", options: .empty(.slice))
        }
        return try intermediate(.reshape, [source, try int32Constant([batch, h], name: "\(name)/shape")], shape: [batch, h], name: name,
                                options: .reshape(newShape: [Int32(batch), Int32(h)]))
    }

    /// Defines IR value `name` (source layout) as `pieces` joined in order and reshaped.
    private func emitJoined(_ pieces: [Int32], into name: String, batchMajor: Bool, pieceShape: [Int]) throws {
        var joined = pieces[0]
        if pieces.count > 1 {
            let shape = batchMajor ? [pieceShape[0], pieceShape[1] * pieces.count] : [pieceShape[0] * pieces.count, pieceShape[1]]
            joined = try intermediate(.concatenation, pieces, shape: shape, name: "\(name)/joined",
                                      options: .concatenation(axis: batchMajor ? 1 : 0, activation: .none))
        }
        let target = try shape(name)
        let y = try define(name, perm: Permutation.identity(target.count))
        emit(.reshape, inputs: [joined, try int32Constant(target, name: "\(name)/shape")], outputs: [y],
             options: .reshape(newShape: target.map { Int32($0) }))
    }

    /// A float32 tensor written by one new operator.
    private func intermediate(_ op: TFLiteBuiltinOperator, _ inputs: [Int32], shape: [Int], name: String,
                              options: TFLiteOptions = .none) throws -> Int32 {
        let output = try addTensor(name: name, shape: shape, type: .float32)
        emit(op, inputs: inputs, outputs: [output], options: options)
        return output
    }

    private func tensorName(_ tensor: Int32) -> String { subgraph.tensors[Int(tensor)].name }
}
