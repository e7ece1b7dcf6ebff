import FerryIR

extension NNGraphBuilder {
    func fail(_ layer: NNLayer, _ message: String) -> CoreMLReadError {
        .spec(file: file, "layer '\(layer.name)' (\(layer.kind.typeName)): \(message)")
    }

    // swiftlint:disable:next cyclomatic_complexity function_body_length
    func read(_ layer: NNLayer) throws {
        for input in layer.inputs where !blobs.contains(input) {
            throw fail(layer, "reads '\(input)', which no input or earlier layer makes")
        }
        defer { blobs.formUnion(layer.outputs) }
        func need(_ count: Int) throws {
            guard layer.inputs.count == count else { throw fail(layer, "\(layer.inputs.count) inputs, expected \(count)") }
        }
        let x = layer.inputs.first.map { name($0) } ?? ""
        let out = name(layer.outputs.first ?? layer.name)
        let base = layer.name
        switch layer.kind {
        case .convolution(let c) where c.isDeconvolution:
            try need(1)
            try readDeconvolution(layer, c)
        case .convolution(let c):
            try need(1)
            let w = floats(c.weights.floats(), [c.outputChannels, c.kernelChannels] + c.kernel, base + "/weight")
            var ins = [x, w]
            if let bias = c.bias { ins.append(floats(bias.floats(), [c.outputChannels], base + "/bias")) }
            node("Conv", ins, [out], ["group": .int(c.groups), "kernel_shape": .ints(c.kernel), "strides": .ints(c.stride),
                                     "dilations": .ints(c.dilation), "pads": .ints(c.pads)])
        case .pooling(let p):
            try need(1)
            if p.global {
                node(p.isMax ? "GlobalMaxPool" : "GlobalAveragePool", [x], [out])
            } else {
                var attributes: [String: Attribute] = ["kernel_shape": .ints(p.kernel), "strides": .ints(p.stride), "pads": .ints(p.pads)]
                if !p.isMax { attributes["count_include_pad"] = .int(p.excludePadding ? 0 : 1) }
                node(p.isMax ? "MaxPool" : "AveragePool", [x], [out], attributes)
            }
        case .activation(let a):
            try need(1)
            switch a {
            case .relu: node("Relu", [x], [out])
            case .sigmoid: node("Sigmoid", [x], [out])
            case .tanh: node("Tanh", [x], [out])
            case .leakyRelu(let alpha): node("LeakyRelu", [x], [out], ["alpha": .float(alpha)])
            case .elu(let alpha): node("Elu", [x], [out], ["alpha": .float(alpha)])
            case .hardSigmoid(let alpha, let beta): node("HardSigmoid", [x], [out], ["alpha": .float(alpha), "beta": .float(beta)])
            case .linear(let alpha, let beta):
                if alpha == 1 && beta == 0 {
                    node("Identity", [x], [out])
                } else {
                    node("Mul", [x, floats([alpha], [], base + "/alpha")], [out + "/scaled"])
                    node("Add", [out + "/scaled", floats([beta], [], base + "/beta")], [out])
                }
            }
        case .batchedMatMul(let weights, let bias, let inputSize, let outputSize, let transposeA, let transposeB):
            if let weights {
                try need(1)
                // Stored [X2, X1] (Core ML's column-major [X1, X2]); the product is x · W.
                let w = Tensor(shape: [outputSize, inputSize], values: weights.floats()).transposed([1, 0])
                let product = bias == nil ? out : out + "/product"
                node("MatMul", [x, initializer(w, base + "/weight")], [product])
                if let bias { node("Add", [product, floats(bias.floats(), [outputSize], base + "/bias")], [out]) }
            } else {
                try need(2)
                guard !transposeA, !transposeB else { throw fail(layer, "transposeA/transposeB are not read (Ferry writes transpose layers)") }
                node("MatMul", [x, name(layer.inputs[1])], [out])
            }
        case .batchnorm(let channels, let gamma, let beta, let mean, let variance, let epsilon):
            try need(1)
            node("BatchNormalization", [x] + [gamma, beta, mean, variance].enumerated().map { index, w in
                floats(w.floats(), [channels], base + ["/gamma", "/beta", "/mean", "/variance"][index])
            }, [out], ["epsilon": .float(epsilon)])
        case .binary(let op):
            try need(2)
            let onnx: [NNBinary: String] = [.add: "Add", .subtract: "Sub", .multiply: "Mul", .divide: "Div", .max: "Max", .min: "Min", .pow: "Pow"]
            node(onnx[op]!, [x, name(layer.inputs[1])], [out])
        case .unary(let op):
            try need(1)
            let onnx: [NNUnary: String] = [.sqrt: "Sqrt", .exp: "Exp", .log: "Log", .abs: "Abs", .ceil: "Ceil", .floor: "Floor",
                                           .sin: "Sin", .cos: "Cos", .erf: "Erf"]
            node(onnx[op]!, [x], [out])
        case .gelu(let exact):
            try need(1)
            node("Gelu", [x], [out], ["approximate": .string(exact ? "none" : "tanh")])
        case .clip(let low, let high):
            try need(1)
            node("Clip", [x, floats([low], [], base + "/min"), floats([high], [], base + "/max")], [out])
        case .loadConstant(let shape, let data):
            try need(0)
            initializers[out] = Tensor(shape: shape, values: data.floats())
            initializerOrder.append(out)
            defined.insert(out)
        case .reduce(let op, let axes, let keepDims):
            try need(1)
            let onnx: [NNReduction: String] = [.sum: "ReduceSum", .mean: "ReduceMean", .max: "ReduceMax", .min: "ReduceMin", .prod: "ReduceProd"]
            node(onnx[op]!, [x, int64s(axes, base + "/axes")], [out], ["keepdims": .int(keepDims ? 1 : 0)])
        case .argMax(let axis, let removeDim), .argMin(let axis, let removeDim):
            try need(1)
            let isMax: Bool
            if case .argMax = layer.kind { isMax = true } else { isMax = false }
            node(isMax ? "ArgMax" : "ArgMin", [x], [out + "/index"], ["axis": .int(axis), "keepdims": .int(removeDim ? 0 : 1)])
            node("Cast", [out + "/index"], [out], ["to": .int(Int(DataType.float32.rawValue))])
        case .reshape(let shape):
            try need(1)
            node("Reshape", [x, int64s(shape, base + "/shape")], [out])
        case .transpose(let axes):
            try need(1)
            node("Transpose", [x], [out], ["perm": .ints(axes)])
        case .concat(let axis):
            node("Concat", layer.inputs.map { name($0) }, [out], ["axis": .int(axis)])
        case .softmax(let axis):
            try need(1)
            node("Softmax", [x], [out], ["axis": .int(axis)])
        case .gather(let axis):
            try need(2)
            node("Cast", [name(layer.inputs[1])], [out + "/indices"], ["to": .int(Int(DataType.int64.rawValue))])
            node("Gather", [x, out + "/indices"], [out], ["axis": .int(axis)])
        case .slice(let begin, let end, let strides, let beginMask, let endMask):
            try need(1)
            let rank = begin.count
            guard end.count == rank, strides.count == rank, beginMask.count == rank, endMask.count == rank else {
                throw fail(layer, "begin, end, strides and masks differ in length")
            }
            let starts = (0..<rank).map { beginMask[$0] ? 0 : begin[$0] }
            let ends = (0..<rank).map { endMask[$0] ? Int(Int64.max) : end[$0] }
            node("Slice", [x, int64s(starts, base + "/starts"), int64s(ends, base + "/ends"), int64s(Array(0..<rank), base + "/axes"),
                           int64s(strides, base + "/steps")], [out])
        case .layerNorm(let shape, let epsilon, let gamma, let beta):
            try need(1)
            node("LayerNormalization", [x, floats(gamma.floats(), shape, base + "/gamma"), floats(beta.floats(), shape, base + "/beta")], [out],
                 ["axis": .int(-shape.count), "epsilon": .float(epsilon)])
        case .lstm(let l):
            try readLSTM(layer, l)
        case .upsample(let u):
            try need(1)
            // Integer factors: ONNX's grid at scale k is the layer's at Xout = k · Xin.
            let grid: MILResizeGrid = switch (u.bilinear, u.linearMode) {
            case (false, _): .upsampleNearest
            case (true, .default): MILResizeGrid(mode: "linear", coordinates: "asymmetric")
            case (true, .alignCornersTrue): MILResizeGrid(mode: "linear", coordinates: "align_corners")
            case (true, .alignCornersFalse): MILResizeGrid(mode: "linear", coordinates: "half_pixel")
            }
            node("Resize", [x, "", floats(u.factors.map(Float.init), [2], base + "/scales")], [out], grid.attributesOfTheLastTwoAxes)
        case .padding(let p):
            try need(1)
            // The last two axes whatever the rank: ONNX Pad's axes input (opset 18) says so.
            var inputs = [x, int64s(p.pads, base + "/pads")]
            let mode: String
            switch p.mode {
            case .constant(let value):
                mode = "constant"
                inputs.append(floats([value], [], base + "/value"))
            case .reflection: mode = "reflect"; inputs.append("")
            case .replication: mode = "edge"; inputs.append("")
            }
            node("Pad", inputs + [int64s([-2, -1], base + "/axes")], [out], ["mode": .string(mode)])
        case .constantPad(let amounts, let value):
            try need(1)
            guard amounts.count % 2 == 0 else { throw fail(layer, "padAmounts has \(amounts.count) values") }
            let pads = stride(from: 0, to: amounts.count, by: 2).map { amounts[$0] } + stride(from: 1, to: amounts.count, by: 2).map { amounts[$0] }
            node("Pad", [x, int64s(pads, base + "/pads"), floats([value], [], base + "/value")], [out], ["mode": .string("constant")])
        case .resizeBilinear(let size, let mode):
            try need(1)
            guard let grid = MILResizeGrid.resizeBilinear(samplingMode: mode.milName, outputs: size) else {
                throw fail(layer, "sampling mode \(mode) has no ONNX Resize form")
            }
            node("Resize", [x, "", "", int64s(size, base + "/sizes")], [out], grid.attributesOfTheLastTwoAxes)
        }
    }

    /// A deconvolution as ConvTranspose: weights [C_in, C_out/groups, kH, kW] as ONNX orders
    /// them, the valid padding amounts cut from the full scatter. Core ML ignores dilationFactor
    /// in a deconvolution, and so does this; outputShape, which Ferry never writes, is refused
    /// (how Core ML crops to it is not documented).
    func readDeconvolution(_ layer: NNLayer, _ c: NNConvolution) throws {
        guard c.outputShape.isEmpty else { throw fail(layer, "outputShape \(c.outputShape) is not read (Ferry writes the padding that gives the size)") }
        guard c.groups > 0, c.outputChannels % c.groups == 0 else { throw fail(layer, "\(c.outputChannels) output channels in \(c.groups) groups") }
        let base = layer.name
        let w = floats(c.weights.floats(), [c.kernelChannels, c.outputChannels / c.groups] + c.kernel, base + "/weight")
        var ins = [name(layer.inputs[0]), w]
        if let bias = c.bias { ins.append(floats(bias.floats(), [c.outputChannels], base + "/bias")) }
        node("ConvTranspose", ins, [name(layer.outputs.first ?? layer.name)],
             ["group": .int(c.groups), "kernel_shape": .ints(c.kernel), "strides": .ints(c.stride), "pads": .ints(c.pads)])
    }

    /// uniDirectionalLSTM as an ONNX LSTM: [Seq, Batch, C, 1, 1] squeezed to [Seq, Batch, C],
    /// gates back to ONNX's i, o, f, c, outputs reshaped to Core ML's rank-5 blobs.
    func readLSTM(_ layer: NNLayer, _ l: NNLSTM) throws {
        guard layer.inputs.count == 1 || layer.inputs.count == 3, layer.outputs.count == 3 else {
            throw fail(layer, "\(layer.inputs.count) inputs and \(layer.outputs.count) outputs (1 or 3 inputs, 3 outputs)")
        }
        let base = layer.name, h = l.hiddenSize
        let onnxOrder = [0, 3, 1, 2]  // ONNX i, o, f, c from Core ML i, f, z, o.
        let w = onnxOrder.flatMap { l.inputWeights[$0].floats() }, r = onnxOrder.flatMap { l.recursionWeights[$0].floats() }
        var ins = [base + "/x3", floats(w, [1, 4 * h, l.inputSize], base + "/W"), floats(r, [1, 4 * h, h], base + "/R")]
        let zero5 = int64s([1, -1, h], base + "/state_shape")
        node("Squeeze", [name(layer.inputs[0]), int64s([3, 4], base + "/squeeze_axes")], [base + "/x3"])
        if let biases = l.biases {
            ins.append(floats(onnxOrder.flatMap { biases[$0].floats() } + [Float](repeating: 0, count: 4 * h), [1, 8 * h], base + "/B"))
        } else {
            ins.append("")
        }
        if layer.inputs.count == 3 {
            ins.append("")
            for (index, state) in layer.inputs[1...].enumerated() {
                node("Reshape", [name(state), zero5], [base + "/state\(index)"])
                ins.append(base + "/state\(index)")
            }
        }
        let y = base + "/Y", yh = base + "/Y_h", yc = base + "/Y_c"
        node("LSTM", ins, [y, yh, yc], ["hidden_size": .int(h)])
        node("Squeeze", [y, int64s([1], base + "/y_axes")], [base + "/Y3"])
        node("Unsqueeze", [base + "/Y3", int64s([3, 4], base + "/y5_axes")], [name(layer.outputs[0])])
        node("Unsqueeze", [yh, int64s([3, 4], base + "/h5_axes")], [name(layer.outputs[1])])
        node("Unsqueeze", [yc, int64s([3, 4], base + "/c5_axes")], [name(layer.outputs[2])])
    }
}
