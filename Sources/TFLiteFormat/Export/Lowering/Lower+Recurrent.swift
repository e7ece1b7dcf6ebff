import FerryIR

extension TFLiteEmitter {
    /// An ONNX LSTM. A forward one whose states start at zero and whose final cell state
    /// nothing reads becomes UNIDIRECTIONAL_SEQUENCE_LSTM; any other (states fed by the graph,
    /// as streaming models carry them between calls; Y_c read; reverse or bidirectional; clip)
    /// is unrolled over its static steps into FULLY_CONNECTED, LOGISTIC, TANH, MUL and ADD.
    func lowerLSTM(_ node: Node) throws {
        let spec = try LSTMSpec(node, emitter: self)
        if !fitsSequenceLSTM(node, spec) { return try lowerLSTMUnrolled(node, spec) }
        try lowerSequenceLSTM(node, spec)
    }

    /// Whether UNIDIRECTIONAL_SEQUENCE_LSTM computes this LSTM: it runs forward without clip,
    /// its states are variable tensors that start at zero, and it has no final cell state output.
    private func fitsSequenceLSTM(_ node: Node, _ spec: LSTMSpec) -> Bool {
        guard spec.directions.count == 1, !spec.directions[0].reverse, spec.clip == nil else { return false }
        for position in [5, 6] {
            guard let name = node.input(position) else { continue }
            guard let constant = constants[name], constant.doubles().allSatisfy({ $0 == 0 }) else { return false }
        }
        return !(node.outputs.count > 2 && isRead(node.outputs[2]))
    }

    /// Whether a node or the graph's outputs read value `name`.
    func isRead(_ name: String) -> Bool {
        !name.isEmpty && (consumers[name] != nil || graphOutputs.contains(name))
    }

    /// UNIDIRECTIONAL_SEQUENCE_LSTM: TFLite takes one weight per gate, one bias per gate (the
    /// two ONNX biases summed), peepholes as diagonal cell weights, and the states as variable
    /// tensors that start at zero. Y becomes the op's output with the direction axis added
    /// back; Y_h is its last time step.
    private func lowerSequenceLSTM(_ node: Node, _ spec: LSTMSpec) throws {
        let direction = spec.directions[0]
        let hidden = spec.hidden, inputSize = spec.inputSize, steps = spec.steps, batch = spec.batch
        let batchMajor = spec.batchMajor
        let x = node.inputs[0]
        let outputs = node.outputs
        let out = outputs.first ?? ""
        // Gate blocks in ONNX order i, o, f, c.
        func block(_ values: [Float], _ gate: Int, columns: Int) -> Tensor {
            let start = gate * hidden * columns
            return Tensor(shape: [hidden, columns], values: Array(values[start..<start + hidden * columns]))
        }
        let names = ["input", "output", "forget", "cell"]
        var inputWeights: [Int32] = [], recurrentWeights: [Int32] = [], biases: [Int32] = []
        for gate in [0, 2, 3, 1] {   // TFLite order: input, forget, cell, output
            inputWeights.append(try constant(block(direction.w, gate, columns: inputSize), name: "\(node.name)/input_to_\(names[gate])"))
            recurrentWeights.append(try constant(block(direction.r, gate, columns: hidden), name: "\(node.name)/recurrent_to_\(names[gate])"))
            let sum = Array(direction.bias[gate * hidden..<(gate + 1) * hidden])
            biases.append(try constant(Tensor(shape: [hidden], values: sum), name: "\(node.name)/\(names[gate])_bias"))
        }
        var peepholes: [Int32] = [-1, -1, -1]
        if let p = direction.peepholes {
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
