import FerryIR

extension TFLiteEmitter {
    /// A forward ONNX LSTM as UNIDIRECTIONAL_SEQUENCE_LSTM: ONNX packs the gates as i, o, f, c in
    /// W [1, 4H, I], R [1, 4H, H] and B [1, 8H] (input then recurrent biases); TFLite takes one
    /// weight per gate, one bias per gate (the two ONNX biases summed), peepholes as diagonal
    /// cell weights, and the states as variable tensors that start at zero. Y becomes the op's
    /// output with the direction axis added back; Y_h is its last time step.
    func lowerLSTM(_ node: Node) throws {
        let attributes = NodeAttributes(exporting: node)
        guard try attributes.string("direction", default: "forward") == "forward" else {
            throw unsupported(node, "direction '\(try attributes.string("direction", default: ""))': TFLite's sequence LSTM runs forward only")
        }
        if let activations = try attributes.strings("activations"), activations.map({ $0.lowercased() }) != ["sigmoid", "tanh", "tanh"] {
            throw unsupported(node, "activations \(activations): TFLite's LSTM uses sigmoid gates and tanh")
        }
        guard node.attributes["clip"] == nil, try attributes.int("input_forget", default: 0) == 0 else {
            throw unsupported(node, "clip or input_forget")
        }
        let batchMajor = try attributes.int("layout", default: 0) == 1
        let x = node.inputs[0]
        let xShape = try shape(x)
        guard xShape.count == 3 else { throw unsupported(node, "input of rank \(xShape.count)") }
        let (steps, batch) = batchMajor ? (xShape[1], xShape[0]) : (xShape[0], xShape[1])
        let w = try constantInput(node, 1), r = try constantInput(node, 2)
        guard w.rank == 3, r.rank == 3, w.shape[0] == 1 else { throw unsupported(node, "weights of shape \(w.shape), \(r.shape)") }
        let hidden = r.shape[2], inputSize = w.shape[2]
        let wv = try floats(w, node), rv = try floats(r, node)
        var bias = [Float](repeating: 0, count: 8 * hidden)
        if node.input(3) != nil { bias = try floats(try constantInput(node, 3), node) }
        guard bias.count == 8 * hidden else { throw unsupported(node, "bias of \(bias.count) values") }
        if let lengths = node.input(4) {
            guard let constant = constants[lengths], constant.integers().allSatisfy({ $0 == steps }) else {
                throw unsupported(node, "sequence_lens other than the full length")
            }
        }
        for (position, label) in [(5, "initial_h"), (6, "initial_c")] {
            guard let name = node.input(position) else { continue }
            guard let constant = constants[name], constant.doubles().allSatisfy({ $0 == 0 }) else {
                throw unsupported(node, "\(label) must be zero: TFLite's LSTM states start at zero")
            }
        }
        let outputs = node.outputs
        if outputs.count > 2, !outputs[2].isEmpty, consumers[outputs[2]] != nil || graphOutputs.contains(outputs[2]) {
            throw unsupported(node, "the final cell state output Y_c, which TFLite keeps inside the op")
        }
        let out = outputs.first ?? ""
        // Gate blocks in ONNX order i, o, f, c.
        func block(_ values: [Float], _ gate: Int, columns: Int) -> Tensor {
            let start = gate * hidden * columns
            return Tensor(shape: [hidden, columns], values: Array(values[start..<start + hidden * columns]))
        }
        let names = ["input", "output", "forget", "cell"]
        var inputWeights: [Int32] = [], recurrentWeights: [Int32] = [], biases: [Int32] = []
        for gate in [0, 2, 3, 1] {   // TFLite order: input, forget, cell, output
            inputWeights.append(try constant(block(wv, gate, columns: inputSize), name: "\(node.name)/input_to_\(names[gate])"))
            recurrentWeights.append(try constant(block(rv, gate, columns: hidden), name: "\(node.name)/recurrent_to_\(names[gate])"))
            let sum = (0..<hidden).map { bias[gate * hidden + $0] + bias[4 * hidden + gate * hidden + $0] }
            biases.append(try constant(Tensor(shape: [hidden], values: sum), name: "\(node.name)/\(names[gate])_bias"))
        }
        var peepholes: [Int32] = [-1, -1, -1]
        if node.input(7) != nil {
            let p = try floats(try constantInput(node, 7), node)
            guard p.count == 3 * hidden else { throw unsupported(node, "peepholes of \(p.count) values") }
            // ONNX P is i, o, f; TFLite takes cell_to_input, cell_to_forget, cell_to_output.
            peepholes = try [0, 2, 1].map { gate in
                try constant(Tensor(shape: [hidden], values: Array(p[gate * hidden..<(gate + 1) * hidden])), name: "\(node.name)/cell_to_\(names[gate])")
            }
        }
        let outputState = try addTensor(name: "\(node.name)/output_state", shape: [batch, hidden], type: .float32)
        let cellState = try addTensor(name: "\(node.name)/cell_state", shape: [batch, hidden], type: .float32)
        subgraph.tensors[Int(outputState)].isVariable = true
        subgraph.tensors[Int(cellState)].isVariable = true
        let input = try tensor(x, perm: Permutation.identity(3))
        let sequenceShape = batchMajor ? [batch, steps, hidden] : [steps, batch, hidden]
        let sequence = try addTensor(name: "\(out.isEmpty ? node.name : out)/sequence", shape: sequenceShape, type: .float32)
        let inputs: [Int32] = [input] + inputWeights + recurrentWeights + peepholes + biases + [-1, -1, outputState, cellState, -1, -1, -1, -1]
        emit(.unidirectionalSequenceLSTM, version: 1, inputs: inputs, outputs: [sequence],
             options: .unidirectionalSequenceLSTM(.init(activation: .tanh, timeMajor: !batchMajor)))
        // Y: [seq, 1, batch, H] (or [batch, seq, 1, H] with layout 1).
        if !out.isEmpty {
            let y = try define(out, perm: Permutation.identity(4))
            let yShape = try shape(out)
            emit(.reshape, inputs: [sequence, try int32Constant(yShape, name: "\(out)/shape")], outputs: [y],
                 options: .reshape(newShape: yShape.map { Int32($0) }))
        }
        // Y_h: the last time step, [1, batch, H] (or [batch, 1, H]).
        if outputs.count > 1, !outputs[1].isEmpty {
            let yh = outputs[1]
            let begin = batchMajor ? [0, steps - 1, 0] : [steps - 1, 0, 0]
            let size = batchMajor ? [batch, 1, hidden] : [1, batch, hidden]
            let last = try addTensor(name: "\(yh)/last", shape: size, type: .float32)
            emit(.slice, inputs: [sequence, try int32Constant(begin, name: "\(yh)/begin"), try int32Constant(size, name: "\(yh)/size")],
                 outputs: [last], options: .empty(.slice))
            let target = try define(yh, perm: Permutation.identity(try rank(yh)))
            let yhShape = try shape(yh)
            emit(.reshape, inputs: [last, try int32Constant(yhShape, name: "\(yh)/shape")], outputs: [target],
                 options: .reshape(newShape: yhShape.map { Int32($0) }))
        }
    }
}
