import FerryIR

extension NCNNGraphBuilder {
    /// Convolution / ConvolutionDepthWise → (int8 input step) Conv → activation.
    func importConvolution(_ layer: NCNNLayer) throws {
        let depthwise = layer.type == "ConvolutionDepthWise"
        let m = layer.int(0, 0), kw = layer.int(1, 0), kh = layer.int(11, kw)
        let dw = layer.int(2, 1), dh = layer.int(12, dw), sw = layer.int(3, 1), sh = layer.int(13, sw)
        let pl = layer.int(4, 0), pr = layer.int(15, pl), pt = layer.int(14, pl), pb = layer.int(16, pt)
        let biasTerm = layer.int(5, 0) != 0, size = layer.int(6, 0), group = depthwise ? layer.int(7, 1) : 1
        let int8Term = layer.int(8, 0)
        guard m > 0, kw > 0, kh > 0, group > 0, size > 0, size % (m * kw * kh) == 0, m % group == 0 else {
            throw unsupported(layer, "inconsistent num_output/kernel/weight_data_size/group")
        }
        guard [pl, pr, pt, pb].allSatisfy({ $0 >= 0 }), layer.float(18, 0) == 0, layer.int(19, 0) == 0 else {
            throw unsupported(layer, "automatic padding, a pad value or dynamic weights")
        }
        guard rank(layer.inputs[0]) == 3 else { throw unsupported(layer, "input of rank \(rank(layer.inputs[0])); convolution reads c, h, w") }
        let perGroupInput = size / (m * kw * kh)
        let weight = try weights.tagged(size, layer: layer.name)
        let bias = biasTerm ? try weights.raw(m, layer: layer.name) : nil
        var input = layer.inputs[0]
        let weightShape = [m, perGroupInput, kh, kw]
        let w: String
        if int8Term != 0 {
            guard int8Term == 1, let q = weight.int8 else { throw unsupported(layer, "int8_scale_term \(int8Term) or float weights with int8 scales") }
            let scales = try weights.raw(depthwise ? group : m, layer: layer.name)
            let bottom = try weights.raw(1, layer: layer.name)[0]
            let perChannel = depthwise ? (0..<m).map { scales[$0 / (m / group)] } : scales
            input = quantizedInput(layer, input, scale: bottom)
            w = dequantizedWeight(layer, q, shape: weightShape, ncnnScales: perChannel, axis: 0)
        } else {
            guard weight.int8 == nil else { throw unsupported(layer, "int8 weights without int8 scales") }
            w = constant(layer, "weight", Tensor(shape: weightShape, values: weight.floats))
        }
        var inputs = [input, w]
        if let bias { inputs.append(constant(layer, "bias", Tensor(shape: [m], values: bias))) }
        let conv = apply(layer, "Conv", inputs, [
            "kernel_shape": .ints([kh, kw]), "strides": .ints([sh, sw]), "dilations": .ints([dh, dw]),
            "pads": .ints([pt, pl, pb, pr]), "group": .int(group),
        ])
        try activation(layer, conv, output: layer.outputs[0])
        ranks[layer.outputs[0]] = 3
    }

    /// Convolution1D / ConvolutionDepthWise1D over an (h = C, w = W) blob → Conv over [1, C, W]
    /// → activation (float weights: NCNN has no int8 1-D convolution).
    func importConvolution1D(_ layer: NCNNLayer) throws {
        let depthwise = layer.type == "ConvolutionDepthWise1D"
        let m = layer.int(0, 0), k = layer.int(1, 0), dilation = layer.int(2, 1), stride = layer.int(3, 1)
        let left = layer.int(4, 0), right = layer.int(15, left)
        let biasTerm = layer.int(5, 0) != 0, size = layer.int(6, 0), group = depthwise ? layer.int(7, 1) : 1
        guard m > 0, k > 0, dilation > 0, stride > 0, group > 0, size > 0, size % (m * k) == 0, m % group == 0 else {
            throw unsupported(layer, "inconsistent num_output/kernel/weight_data_size/group")
        }
        guard left >= 0, right >= 0, layer.float(18, 0) == 0, layer.int(19, 0) == 0 else {
            throw unsupported(layer, "automatic padding, a pad value or dynamic weights")
        }
        guard rank(layer.inputs[0]) == 2 else { throw unsupported(layer, "input of rank \(rank(layer.inputs[0])); a 1-D convolution reads h, w") }
        let weight = try weights.tagged(size, layer: layer.name)
        guard weight.int8 == nil else { throw unsupported(layer, "int8 weights (NCNN's 1-D convolutions are float)") }
        let bias = biasTerm ? try weights.raw(m, layer: layer.name) : nil
        // The (C, W) blob is the sample's [C, W], which the graph holds as [1, C, W].
        var inputs = [layer.inputs[0], constant(layer, "weight", Tensor(shape: [m, size / (m * k), k], values: weight.floats))]
        if let bias { inputs.append(constant(layer, "bias", Tensor(shape: [m], values: bias))) }
        let conv = apply(layer, "Conv", inputs, [
            "kernel_shape": .ints([k]), "strides": .ints([stride]), "dilations": .ints([dilation]), "pads": .ints([left, right]), "group": .int(group),
        ])
        try activation(layer, conv, output: layer.outputs[0])
        ranks[layer.outputs[0]] = 2
    }

    /// InnerProduct: a vector (any blob flattened) → Gemm; rows of a 2-D blob → MatMul + bias.
    func importInnerProduct(_ layer: NCNNLayer) throws {
        let n = layer.int(0, 0), biasTerm = layer.int(1, 0) != 0, size = layer.int(2, 0), int8Term = layer.int(8, 0)
        guard n > 0, size > 0, size % n == 0 else { throw unsupported(layer, "inconsistent num_output/weight_data_size") }
        let k = size / n
        let weight = try weights.tagged(size, layer: layer.name)
        let bias = biasTerm ? try weights.raw(n, layer: layer.name) : nil
        var input = layer.inputs[0]
        var int8Scales: [Float]?
        if int8Term != 0 {
            guard weight.int8 != nil else { throw unsupported(layer, "float weights with int8 scales") }
            int8Scales = try weights.raw(n, layer: layer.name)
            input = quantizedInput(layer, input, scale: try weights.raw(1, layer: layer.name)[0])
        } else if weight.int8 != nil {
            throw unsupported(layer, "int8 weights without int8 scales")
        }
        let rows = rank(layer.inputs[0]) == 2
        if rows {
            // W^T [K, N] so that MatMul reads rows.
            let wT: String
            if let scales = int8Scales, let q = weight.int8 {
                wT = dequantizedWeight(layer, NCNNEmitter.transpose(q, rows: n, columns: k), shape: [k, n], ncnnScales: scales, axis: 1)
            } else {
                wT = constant(layer, "weight", Tensor(shape: [k, n], values: NCNNEmitter.transpose(weight.floats, rows: n, columns: k)))
            }
            var y = apply(layer, "MatMul", [input, wT])
            if let bias { y = apply(layer, "Add", [y, constant(layer, "bias", Tensor(shape: [n], values: bias))]) }
            try activation(layer, y, output: layer.outputs[0])
            ranks[layer.outputs[0]] = 2
            return
        }
        if rank(layer.inputs[0]) != 1 { input = apply(layer, "Flatten", [input], ["axis": .int(1)]) }
        let w: String
        if let scales = int8Scales, let q = weight.int8 {
            w = dequantizedWeight(layer, q, shape: [n, k], ncnnScales: scales, axis: 0)
        } else {
            w = constant(layer, "weight", Tensor(shape: [n, k], values: weight.floats))
        }
        var inputs = [input, w]
        if let bias { inputs.append(constant(layer, "bias", Tensor(shape: [n], values: bias))) }
        let y = apply(layer, "Gemm", inputs, ["transB": .int(1)])
        try activation(layer, y, output: layer.outputs[0])
        ranks[layer.outputs[0]] = 1
    }

    /// Embed: float ids → Gather rows of the table.
    func importEmbed(_ layer: NCNNLayer) throws {
        let width = layer.int(0, 0), vocabulary = layer.int(1, 0), biasTerm = layer.int(2, 0) != 0, size = layer.int(3, 0)
        guard width > 0, vocabulary > 0, size == width * vocabulary, layer.int(18, 0) == 0 else { throw unsupported(layer, "inconsistent sizes or int8 tables") }
        let table = try weights.tagged(size, layer: layer.name)
        let bias = biasTerm ? try weights.raw(width, layer: layer.name) : nil
        // NCNN reads each id as the int32 bits of the blob element: the Input blob holds int32.
        guard inputNames.contains(layer.inputs[0]) else { throw unsupported(layer, "ids that do not come straight from an Input blob") }
        int32Inputs.insert(layer.inputs[0])
        let ids = apply(layer, "Cast", [layer.inputs[0]], ["to": .int(Int(DataType.int64.rawValue))])
        let flat = apply(layer, "Reshape", [ids, int64s(layer, "shape", [-1])])
        var y = apply(layer, "Gather", [constant(layer, "table", Tensor(shape: [vocabulary, width], values: table.floats)), flat])
        if let bias { y = apply(layer, "Add", [y, constant(layer, "bias", Tensor(shape: [width], values: bias))]) }
        apply(layer, "Unsqueeze", [y, int64s(layer, "axes", [0])], output: layer.outputs[0])
        ranks[layer.outputs[0]] = 2
    }

    /// LSTM (one sequence, rows of a 2-D blob) → ONNX LSTM with gates back in i, o, f, c order.
    func importLSTM(_ layer: NCNNLayer) throws {
        let hidden = layer.int(0, 0), size = layer.int(1, 0), direction = layer.int(2, 0)
        guard layer.int(3, hidden) == hidden, layer.int(8, 0) == 0 else { throw unsupported(layer, "projection (hidden_size ≠ num_output) or int8 weights") }
        guard (layer.inputs.count == 1 && layer.outputs.count == 1) || (layer.inputs.count == 3 && layer.outputs.count == 3) else {
            throw unsupported(layer, "\(layer.inputs.count) inputs and \(layer.outputs.count) outputs (1 and 1, or 3 and 3 with the states)")
        }
        let directions = direction == 2 ? 2 : 1
        guard hidden > 0, size % (directions * 4 * hidden) == 0, rank(layer.inputs[0]) == 2 else { throw unsupported(layer, "inconsistent sizes or an input that is not [T, input_size]") }
        let inputSize = size / (directions * 4 * hidden)
        let xc = try weights.tagged(size, layer: layer.name).floats
        let bc = try weights.tagged(directions * 4 * hidden, layer: layer.name).floats
        let hc = try weights.tagged(directions * 4 * hidden * hidden, layer: layer.name).floats
        let order = [0, 2, 1, 3]   // ONNX gate j (i, o, f, c) is NCNN gate order[j] (I, F, O, G)
        func reorder(_ values: [Float], columns: Int) -> [Float] {
            var result: [Float] = []
            for d in 0..<directions {
                for gate in order {
                    let start = (d * 4 + gate) * hidden * columns
                    result += values[start..<(start + hidden * columns)]
                }
            }
            return result
        }
        var b: [Float] = []
        for d in 0..<directions {
            b += reorder(Array(bc[(d * 4 * hidden)..<((d + 1) * 4 * hidden)]), columns: 1)
            b += Array(repeating: 0, count: 4 * hidden)
        }
        let w = constant(layer, "W", Tensor(shape: [directions, 4 * hidden, inputSize], values: reorder(xc, columns: inputSize)))
        let r = constant(layer, "R", Tensor(shape: [directions, 4 * hidden, hidden], values: reorder(hc, columns: hidden)))
        let bias = constant(layer, "B", Tensor(shape: [directions, 8 * hidden], values: b))
        let x = apply(layer, "Reshape", [layer.inputs[0], int64s(layer, "shape", [-1, 1, inputSize])])
        let names = ["forward", "reverse", "bidirectional"]
        guard direction >= 0 && direction <= 2 else { throw unsupported(layer, "direction \(direction)") }
        let attributes: [String: Attribute] = ["hidden_size": .int(hidden), "direction": .string(names[direction])]
        let y: String
        if layer.inputs.count == 3 {
            // States are [directions, hidden] blobs; ONNX's are [directions, 1, hidden].
            let stateShape = int64s(layer, "state_shape", [directions, 1, hidden])
            let h0 = apply(layer, "Reshape", [layer.inputs[1], stateShape]), c0 = apply(layer, "Reshape", [layer.inputs[2], stateShape])
            y = fresh(layer, "Y")
            let (hn, cn) = (fresh(layer, "Y_h"), fresh(layer, "Y_c"))
            node(layer, "LSTM", [x, w, r, bias, "", h0, c0], [y, hn, cn], attributes)
            let flat = int64s(layer, "flat_state", [directions, hidden])
            for (value, output) in [(hn, layer.outputs[1]), (cn, layer.outputs[2])] {
                apply(layer, "Reshape", [value, flat], output: output)
                ranks[output] = 2
            }
        } else {
            y = apply(layer, "LSTM", [x, w, r, bias], attributes)
        }
        apply(layer, "Reshape", [y, int64s(layer, "shape", [1, -1, directions * hidden])], output: layer.outputs[0])
        ranks[layer.outputs[0]] = 2
    }
}
