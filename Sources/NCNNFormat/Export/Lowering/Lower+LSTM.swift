import FerryIR

extension NCNNEmitter {
    /// LSTM (layout 0, batch 1, zero or absent initial state, no peepholes) → LSTM, its gate
    /// blocks reordered from ONNX's i, o, f, c to NCNN's I, F, O, G and the two biases summed.
    func lowerLSTM(_ node: Node) throws {
        guard let x = node.input(0) else { throw unsupported(node, "input 0 is missing") }
        let a = NodeAttributes(exporting: node)
        guard try a.int("layout", default: 0) == 0 else { throw unsupported(node, "layout=1 (batch first)") }
        guard try a.int("input_forget", default: 0) == 0, node.attributes["clip"] == nil else { throw unsupported(node, "input_forget or clip") }
        if let activations = try a.strings("activations"), activations.map({ $0.lowercased() }) != Array(["sigmoid", "tanh", "tanh"].prefix(activations.count)) &&
            activations.map({ $0.lowercased() }) != ["sigmoid", "tanh", "tanh", "sigmoid", "tanh", "tanh"] {
            throw unsupported(node, "activations \(activations)")
        }
        let direction = try a.string("direction", default: "forward")
        let directionParam: Int
        switch direction {
        case "forward": directionParam = 0
        case "reverse": directionParam = 1
        case "bidirectional": directionParam = 2
        default: throw unsupported(node, "direction \(direction)")
        }
        let xShape = try shape(x)
        guard xShape.count == 3, xShape[1] == 1 else { throw unsupported(node, "a batch of \(xShape.count == 3 ? xShape[1] : 0) sequences; NCNN's LSTM runs one") }
        let (steps, inputSize) = (xShape[0], xShape[2])
        let w = try floats(try constantInput(node, 1), node.inputs[1]), r = try floats(try constantInput(node, 2), node.inputs[2])
        let directions = directionParam == 2 ? 2 : 1
        let hidden = try constantInput(node, 2).shape[2]
        var b = Array(repeating: Float(0), count: directions * 8 * hidden)
        if node.input(3) != nil { b = try floats(try constantInput(node, 3), node.inputs[3]) }
        guard node.input(4) == nil else { throw unsupported(node, "sequence_lens") }
        for index in [5, 6] where node.input(index) != nil {
            let state = try constantInput(node, index)
            guard try floats(state, node.inputs[index]).allSatisfy({ $0 == 0 }) else { throw unsupported(node, "a non-zero initial state") }
        }
        guard node.input(7) == nil else { throw unsupported(node, "peepholes") }
        for (i, output) in node.outputs.enumerated() where i > 0 && !output.isEmpty && (consumers[output] != nil || graph.isInterface(output)) {
            throw unsupported(node, "output \(i) (the final state) is read; NCNN's LSTM is mapped for Y only")
        }
        // NCNN gate g takes ONNX gate order[g]: I←i, F←f, O←o, G←c.
        let order = [0, 2, 1, 3]
        func reorder(_ values: [Float], columns: Int) -> [Float] {
            var result: [Float] = []
            result.reserveCapacity(values.count)
            for d in 0..<directions {
                for gate in order {
                    let start = (d * 4 + gate) * hidden * columns
                    result += values[start..<(start + hidden * columns)]
                }
            }
            return result
        }
        var bias: [Float] = []
        for d in 0..<directions {
            for gate in order {
                for h in 0..<hidden {
                    bias.append(b[d * 8 * hidden + gate * hidden + h] + b[d * 8 * hidden + (4 + gate) * hidden + h])
                }
            }
        }
        let weightXC = reorder(w, columns: inputSize), weightHC = reorder(r, columns: hidden)
        let y = node.outputs[0]
        let blob = newBlob(y)
        try emit("LSTM", name: node.name.isEmpty ? y : node.name, inputs: [try self.blob(x, shape: [steps, inputSize])], outputs: [blob],
                 params: [0: .int(hidden), 1: .int(directions * 4 * hidden * inputSize), 2: .int(directionParam), 3: .int(hidden)]) { writer in
            self.appendWeight(weightXC, into: &writer)
            self.appendWeight(bias, into: &writer)
            self.appendWeight(weightHC, into: &writer)
        }
        define(y, blob: blob, shape: [steps, directions * hidden])
    }
}
