import FerryIR

extension NNEmitter {
    /// A forward ONNX LSTM (layout 0, default activations, no peepholes or sequence lengths) as
    /// `uniDirectionalLSTM`: the input reshaped to [Seq, Batch, C, 1, 1], gates reordered from
    /// ONNX's i, o, f, c to Core ML's i, f, z, o, the two biases summed, and the outputs
    /// reshaped back to ONNX's Y [Seq, 1, Batch, H] and Y_h/Y_c [1, Batch, H].
    func lowerLSTM(_ node: Node) throws {
        let attributes = NodeAttributes(exporting: node)
        guard try attributes.string("direction", default: "forward") == "forward" else { throw unsupported(node, "only direction 'forward' is mapped") }
        guard try attributes.int("layout", default: 0) == 0 else { throw unsupported(node, "layout 1 (batch first)") }
        guard try attributes.int("input_forget", default: 0) == 0, try attributes.float("clip") == nil else { throw unsupported(node, "input_forget or clip") }
        if let activations = node.attributes["activations"], case .strings(let names) = activations, names != ["Sigmoid", "Tanh", "Tanh"] {
            throw unsupported(node, "activations \(names)")
        }
        guard node.input(4) == nil, node.input(7) == nil else { throw unsupported(node, "sequence_lens or peepholes") }
        let w = try weightInput(node, 1), r = try weightInput(node, 2)
        guard w.shape.count == 3, w.shape[0] == 1, r.shape.count == 3 else { throw unsupported(node, "W of shape \(w.shape)") }
        let hidden = r.shape[2], inputSize = w.shape[2]
        let xShape = try staticShape(node.inputs[0], node)
        let (steps, batch) = (xShape[0], xShape[1])
        let order = [0, 2, 3, 1]
        func gates(_ values: [Float], columns: Int) -> [NNWeights] {
            let block = hidden * columns
            return order.map { .float32(Array(values[($0 * block)..<(($0 + 1) * block)])) }
        }
        var biases: [NNWeights]?
        if node.input(3) != nil {
            let b = try weightInput(node, 3).values
            biases = gates((0..<(4 * hidden)).map { b[$0] + b[$0 + 4 * hidden] }, columns: 1)
        }
        let out = node.outputs.first { !$0.isEmpty } ?? node.name
        let x = layer(.reshape(shape: [steps, batch, inputSize, 1, 1]), [try input(node, 0)], output: out + "_x5", intermediate: true)
        var inputs = [x]
        // Initial states: constants are loaded, computed ones (a graph input the caller carries
        // between calls) reshaped to the layer's [1, Batch, H, 1, 1]; an absent one is zeros.
        if node.input(5) != nil || node.input(6) != nil {
            for index in [5, 6] {
                let stateShape = [1, batch, hidden, 1, 1]
                if let name = node.input(index), graph.initializers[name] == nil && storedWeights[name] == nil {
                    inputs.append(layer(.reshape(shape: stateShape), [try blob(name, node)], output: out + "_state\(index)", intermediate: true))
                } else {
                    let values = node.input(index) != nil ? try weightInput(node, index).values : [Float](repeating: 0, count: batch * hidden)
                    inputs.append(layer(.loadConstant(shape: stateShape, data: .float32(values)), [], output: out + "_state\(index)", intermediate: true))
                }
            }
        }
        let names = ["_y5", "_h5", "_c5"].map { identifiers.fresh(out + $0) }
        layers.append(NNLayer(name: names[0], inputs: inputs, outputs: names, kind: .lstm(NNLSTM(
            inputSize: inputSize, hiddenSize: hidden, inputWeights: gates(w.values, columns: inputSize),
            recursionWeights: gates(r.values, columns: hidden), biases: biases, sequenceOutput: true))))
        let shapes = [[steps, 1, batch, hidden], [1, batch, hidden], [1, batch, hidden]]
        for (index, output) in node.outputs.enumerated() where !output.isEmpty && index < 3 {
            layer(.reshape(shape: shapes[index]), [names[index]], output: output)
        }
    }
}
