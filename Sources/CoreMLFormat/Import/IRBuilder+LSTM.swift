import FerryIR

extension IRBuilder {
    /// MIL lstm (i,f,o,z gates, one summed bias, states [batch, hidden]) → ONNX LSTM (i,o,f,c,
    /// W and R biases, a direction axis), with Reshapes for the states and outputs.
    func readLSTM(_ r: MILOperationReader) throws {
        guard try r.string("direction", default: "forward") == "forward", try r.bool("output_sequence", default: false),
              try r.string("recurrent_activation", default: "sigmoid") == "sigmoid", try r.string("cell_activation", default: "tanh") == "tanh",
              try r.string("activation", default: "tanh") == "tanh", !r.has("peephole"), !r.has("clip") else {
            throw r.fail("only forward LSTMs with output_sequence and default activations are read")
        }
        guard let wih = try r.constant("weight_ih").tensor, let whh = try r.constant("weight_hh").tensor else { throw r.fail("weights are not tensors") }
        let hidden = whh.shape[1]
        func reorder(_ tensor: Tensor) -> Tensor {
            let values = IRBuilder.irTensor(tensor).elements(as: Float.self)
            let block = values.count / 4
            let reordered = [0, 2, 1, 3].flatMap { values[($0 * block)..<(($0 + 1) * block)] }
            return Tensor(shape: [1] + tensor.shape, values: reordered)
        }
        var bias = [Float](repeating: 0, count: 8 * hidden)
        if r.has("bias"), let b = try r.constant("bias").tensor {
            let reordered = reorder(b).elements(as: Float.self)
            for i in 0..<(4 * hidden) { bias[i] = reordered[i] }
        }
        let outputs = r.operation.outputs
        guard outputs.count == 3 else { throw r.fail("lstm has 3 outputs") }
        let batch = outputs[1].type.shape[0] ?? 1
        let w = initializer(reorder(wih), outputs[0].name + "/W"), rr = initializer(reorder(whh), outputs[0].name + "/R")
        let b = initializer(Tensor(shape: [1, 8 * hidden], values: bias), outputs[0].name + "/B")
        let stateShape = int64s([1, batch, hidden], outputs[0].name + "/state_shape")
        node("Reshape", [try r.value("initial_h"), stateShape], [outputs[0].name + "/h0"])
        node("Reshape", [try r.value("initial_c"), stateShape], [outputs[0].name + "/c0"])
        let prefix = outputs[0].name + "/onnx"
        node("LSTM", [try r.value("x"), w, rr, b, "", outputs[0].name + "/h0", outputs[0].name + "/c0"],
             [prefix + "_Y", prefix + "_Y_h", prefix + "_Y_c"], ["hidden_size": .int(hidden), "direction": .string("forward")])
        let shapes = [outputs[0].type.shape, outputs[1].type.shape, outputs[2].type.shape]
        for (index, source) in [prefix + "_Y", prefix + "_Y_h", prefix + "_Y_c"].enumerated() {
            let shape = int64s(shapes[index].map { $0 ?? -1 }, outputs[index].name + "/shape")
            define(outputs[index].name, outputs[index].type) { target in node("Reshape", [source, shape], [target]) }
        }
    }
}
