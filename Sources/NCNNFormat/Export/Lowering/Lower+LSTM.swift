import FerryIR

extension NCNNEmitter {
    /// LSTM (layout 0, batch 1, no peepholes) → LSTM, its gate blocks reordered from ONNX's
    /// i, o, f, c to NCNN's I, F, O, G and the two biases summed; initial and final states, when
    /// the graph gives or reads them, are the layer's second and third inputs and outputs.
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
        guard node.input(7) == nil else { throw unsupported(node, "peepholes") }
        // Initial states: none (or constant zeros), or both h and c as NCNN's second and third
        // inputs, [directions, hidden] blobs (a stream model carries them between calls).
        func isZero(_ index: Int) throws -> Bool {
            guard let name = node.input(index) else { return true }
            guard constants[name] != nil else { return false }
            return try floats(try constantInput(node, index), name).allSatisfy { $0 == 0 }
        }
        let explicitState = try !isZero(5) || !isZero(6)
        // Final states Y_h and Y_c: NCNN's LSTM writes them as its second and third outputs.
        let stateRead = node.outputs.enumerated().contains { i, output in
            i > 0 && !output.isEmpty && (consumers[output] != nil || graph.isInterface(output))
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
        let blob = newBlob(y.isEmpty ? node.name + "_y" : y)
        var inputs = [try self.blob(x, shape: [steps, inputSize])]
        let stateShape = [directions, hidden]
        if explicitState || stateRead {
            for index in [5, 6] {
                if let name = node.input(index) {
                    inputs.append(try self.blob(name, shape: stateShape))
                } else {
                    let zeros = newBlob(node.name + (index == 5 ? "_h0" : "_c0"))
                    try emit("MemoryData", name: zeros, inputs: [], outputs: [zeros], params: NCNNLayout.shapeParams(stateShape)) {
                        $0.append([Float](repeating: 0, count: directions * hidden), .rawFloat32)
                    }
                    inputs.append(zeros)
                }
            }
        }
        var outputs = [blob]
        if inputs.count == 3 {
            // NCNN's LSTM takes both states or neither, and writes both when it takes both.
            for index in [1, 2] {
                let output = index < node.outputs.count ? node.outputs[index] : ""
                outputs.append(newBlob(output.isEmpty ? node.name + (index == 1 ? "_hn" : "_cn") : output))
            }
        }
        try emit("LSTM", name: node.name.isEmpty ? (y.isEmpty ? blob : y) : node.name, inputs: inputs, outputs: outputs,
                 params: [0: .int(hidden), 1: .int(directions * 4 * hidden * inputSize), 2: .int(directionParam), 3: .int(hidden)]) { writer in
            self.appendWeight(weightXC, into: &writer)
            self.appendWeight(bias, into: &writer)
            self.appendWeight(weightHC, into: &writer)
        }
        if !y.isEmpty { define(y, blob: blob, shape: [steps, directions * hidden]) }
        for index in [1, 2] where outputs.count == 3 && index < node.outputs.count && !node.outputs[index].isEmpty {
            define(node.outputs[index], blob: outputs[index], shape: stateShape)
        }
    }
}
