import FerryIR

extension MILEmitter {
    /// A forward, single-direction ONNX LSTM (layout 0, default activations, no peepholes or
    /// sequence lengths) as MIL's lstm: gates reordered from ONNX's i,o,f,c to MIL's i,f,o,z, the
    /// two biases summed, and the direction axis of states and outputs reshaped away and back.
    /// MIL's lstm takes float32 only (its type domain), so in float16 programs it runs in float32
    /// between casts, as coremltools writes it.
    func lowerLSTM(_ node: Node) throws {
        let attributes = NodeAttributes(exporting: node)
        guard try attributes.string("direction", default: "forward") == "forward" else { throw unsupported(node, "only direction 'forward' is mapped") }
        guard try attributes.int("layout", default: 0) == 0 else { throw unsupported(node, "layout 1 (batch first)") }
        guard try attributes.int("input_forget", default: 0) == 0, try attributes.float("clip") == nil else { throw unsupported(node, "input_forget or clip") }
        if let activations = node.attributes["activations"], case .strings(let names) = activations, names != ["Sigmoid", "Tanh", "Tanh"] {
            throw unsupported(node, "activations \(names)")
        }
        guard node.input(4) == nil, node.input(7) == nil else { throw unsupported(node, "sequence_lens or peepholes") }
        let w = try constantInput(node, 1), r = try constantInput(node, 2)
        guard w.rank == 3, w.shape[0] == 1 else { throw unsupported(node, "W of shape \(w.shape)") }
        let hidden = r.shape[2], inputSize = w.shape[2]
        let xShape = try staticShape(node.inputs[0], node)
        let (steps, batch) = (xShape[0], xShape[1])
        func reorder(_ tensor: Tensor, columns: Int) -> [Float] {
            let values = tensor.doubles().map { Float($0) }
            let block = hidden * columns
            return [0, 2, 1, 3].flatMap { values[($0 * block)..<(($0 + 1) * block)] }
        }
        let out = node.outputs.first { !$0.isEmpty } ?? node.name
        var bias = [Float](repeating: 0, count: 4 * hidden)
        if node.input(3) != nil {
            let b = try constantInput(node, 3).doubles().map { Float($0) }
            let summed = Tensor(shape: [4 * hidden], values: (0..<(4 * hidden)).map { b[$0] + b[$0 + 4 * hidden] })
            bias = reorder(summed, columns: 1)
        }
        func fp32(_ values: [Float], _ shape: [Int], _ name: String) -> String { constValue(.tensor(Tensor(shape: shape, values: values)), name: name) }
        func wide(_ value: String, _ label: String) -> String {
            guard floatType == .float16, let type = types[value] else { return value }
            return op("cast", [("x", value), ("dtype", string("fp32", name: "\(out)_\(label)_dtype"))], output: "\(out)_\(label)_fp32",
                      MILTensorType(.float32, type.shape))
        }
        func state(_ index: Int, _ label: String) throws -> String {
            guard let name = node.input(index) else {
                return fp32([Float](repeating: 0, count: batch * hidden), [batch, hidden], "\(out)_\(label)")
            }
            let reshaped = op("reshape", [("x", try value(name, node)), ("shape", int32s([batch, hidden], name: "\(out)_\(label)_shape"))],
                              output: "\(out)_\(label)", MILTensorType(types[try value(name, node)]?.dataType ?? floatType, [batch, hidden]))
            return wide(reshaped, label)
        }
        let h0 = try state(5, "initial_h"), c0 = try state(6, "initial_c")
        let results = op("lstm", [
            ("x", wide(try input(node, 0), "x")), ("initial_h", h0), ("initial_c", c0),
            ("weight_ih", fp32(reorder(w, columns: inputSize), [4 * hidden, inputSize], node.inputs[1])),
            ("weight_hh", fp32(reorder(r, columns: hidden), [4 * hidden, hidden], node.inputs[2])),
            ("bias", fp32(bias, [4 * hidden], "\(out)_bias")),
            ("direction", string("forward", name: "\(out)_direction")),
            ("output_sequence", bool(true, name: "\(out)_output_sequence")),
            ("recurrent_activation", string("sigmoid", name: "\(out)_recurrent_activation")),
            ("cell_activation", string("tanh", name: "\(out)_cell_activation")),
            ("activation", string("tanh", name: "\(out)_activation")),
        ], outputs: [("\(out)_sequence", MILTensorType(.float32, [steps, batch, hidden])),
                     ("\(out)_h", MILTensorType(.float32, [batch, hidden])), ("\(out)_c", MILTensorType(.float32, [batch, hidden]))])
        let shapes = [[steps, 1, batch, hidden], [1, batch, hidden], [1, batch, hidden]]
        for (index, name) in node.outputs.enumerated() where !name.isEmpty && index < 3 {
            var result = op("reshape", [("x", results[index]), ("shape", int32s(shapes[index], name: name + "_shape"))],
                            output: floatType == .float16 ? name + "_fp32" : name, MILTensorType(.float32, shapes[index].map { $0 }))
            if floatType == .float16 {
                result = op("cast", [("x", result), ("dtype", string("fp16", name: name + "_dtype"))], output: name,
                            MILTensorType(.float16, shapes[index].map { $0 }))
            }
            values[name] = result
        }
    }
}
