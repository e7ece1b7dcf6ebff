import FerryIR

extension NNEmitter {
    /// A constant weight input as stored (initializers as float32).
    func storedInput(_ node: Node, _ index: Int) throws -> StoredWeight {
        guard let name = node.input(index) else { throw unsupported(node, "input \(index) is missing") }
        if let stored = storedWeights[name] { return stored }
        let tensor = try constantInput(node, index)
        return StoredWeight(weights: .float32(tensor.doubles().map { Float($0) }), shape: tensor.shape)
    }

    /// The weights of a layer whose storage puts output channels first (`stored` in that layout).
    func layerWeights(_ stored: StoredWeight) -> NNWeights {
        weights(stored.floats(), channels: stored.shape.first ?? 1, stored: stored.axis == 0 ? stored.weights : nil, sameLayout: true)
    }

    /// ONNX pads [top, left, bottom, right] of a 2-D conv or pool (auto_pad NOTSET or VALID).
    func pads2D(_ node: Node) throws -> [Int] { try pads(node, spatial: 2) }

    /// ONNX pads [b0, b1, …, e0, e1, …] of a conv or pool over `spatial` axes (auto_pad NOTSET or VALID).
    func pads(_ node: Node, spatial: Int) throws -> [Int] {
        let attributes = NodeAttributes(exporting: node)
        switch try attributes.string("auto_pad", default: "NOTSET") {
        case "NOTSET":
            let pads = try attributes.ints("pads") ?? Array(repeating: 0, count: 2 * spatial)
            guard pads.count == 2 * spatial else { throw unsupported(node, "pads has \(pads.count) values for \(spatial) spatial dims") }
            return pads
        case "VALID": return Array(repeating: 0, count: 2 * spatial)
        case let other: throw unsupported(node, "auto_pad '\(other)' (fold it to explicit pads first)")
        }
    }

    /// 2-D Conv as `convolution` with valid padding and explicit amounts. A 1-D Conv ([N, C, W])
    /// is the same layer over [N, C, 1, W] between two reshapes (the convolution layer is 2-D,
    /// as coremltools' NeuralNetwork backend writes it); its weights [C_out, C_in, k] are
    /// already [C_out, C_in, 1, k] in storage order.
    func lowerConv(_ node: Node) throws {
        let attributes = NodeAttributes(exporting: node)
        let weight = try storedInput(node, 1)
        let inputRank = try rank(node.inputs[0], node)
        guard weight.shape.count == 4 && inputRank == 4 || weight.shape.count == 3 && inputRank == 3 else {
            throw unsupported(node, "\(weight.shape.count - 2)-d convolution of a rank-\(inputRank) input (NeuralNetwork convolution is 1-d or 2-d here)")
        }
        let bias = try vector(node, 2)
        let oneD = weight.shape.count == 3
        func widened(_ name: String, _ fill: Int) throws -> [Int] {
            let values = try attributes.ints(name) ?? Array(repeating: fill, count: oneD ? 1 : 2)
            guard values.count == (oneD ? 1 : 2) else { throw unsupported(node, "\(name) has \(values.count) values") }
            return oneD ? [fill] + values : values
        }
        var pads = try pads(node, spatial: oneD ? 1 : 2)
        if oneD { pads = [0, pads[0], 0, pads[1]] }
        var storage = weight
        if oneD { storage.shape = [weight.shape[0], weight.shape[1], 1, weight.shape[2]] }
        let convolution = NNLayerKind.convolution(NNConvolution(
            outputChannels: weight.shape[0], kernelChannels: weight.shape[1], groups: try attributes.int("group", default: 1),
            kernel: Array(storage.shape[2...]), stride: try widened("strides", 1), dilation: try widened("dilations", 1),
            pads: pads, isDeconvolution: false, outputShape: [], weights: layerWeights(storage), bias: bias))
        guard oneD else {
            emit(node, convolution, [try input(node, 0)])
            return
        }
        let out = node.outputs[0]
        let x = try staticShape(node.inputs[0], node)
        let rows = layer(.reshape(shape: [x[0], x[1], 1, x[2]]), [try input(node, 0)], output: out + "_4d", intermediate: true)
        let convolved = layer(convolution, [rows], output: out + "_conv", intermediate: true)
        emit(node, .reshape(shape: try staticShape(out, node)), [convolved])
    }

    func lowerPool(_ node: Node, max: Bool) throws {
        let attributes = NodeAttributes(exporting: node)
        guard let kernel = try attributes.ints("kernel_shape"), kernel.count == 2 else { throw unsupported(node, "kernel_shape must have 2 values (2-d pooling)") }
        if let dilations = try attributes.ints("dilations"), dilations.contains(where: { $0 != 1 }) { throw unsupported(node, "dilated pooling") }
        guard try attributes.int("ceil_mode", default: 0) == 0 else { throw unsupported(node, "ceil_mode 1") }
        guard node.outputs.count == 1 || node.outputs[1].isEmpty else { throw unsupported(node, "the Indices output") }
        emit(node, .pooling(NNPooling(isMax: max, kernel: kernel, stride: try attributes.ints("strides") ?? [1, 1], pads: try pads2D(node),
                                      excludePadding: try attributes.int("count_include_pad", default: 0) == 0, global: false)),
             [try input(node, 0)])
    }

    func lowerGlobalPool(_ node: Node, max: Bool) throws {
        guard try rank(node.inputs[0], node) == 4 else { throw unsupported(node, "input of rank \(try rank(node.inputs[0], node)), expected NCHW") }
        emit(node, .pooling(NNPooling(isMax: max, kernel: [1, 1], stride: [1, 1], pads: [0, 0, 0, 0], excludePadding: false, global: true)),
             [try input(node, 0)])
    }

    /// `batchedMatmul` with weights when B is a constant (alpha folded into it, bias = beta·C);
    /// otherwise a two-input batchedMatmul, scaled and biased by broadcasting layers.
    func lowerGemm(_ node: Node) throws {
        let attributes = NodeAttributes(exporting: node)
        let alpha = try attributes.float("alpha", default: 1), beta = try attributes.float("beta", default: 1)
        let transA = try attributes.int("transA", default: 0) != 0, transB = try attributes.int("transB", default: 0) != 0
        let out = node.outputs[0]
        let outputShape = try staticShape(out, node)
        let bName = node.inputs[1]
        let constantB = graph.initializers[bName] != nil || storedWeights[bName] != nil
        let cCount = node.input(2).flatMap { name in graph.initializers[name]?.count ?? storedWeights[name]?.shape.reduce(1, *) }
        if !transA, constantB, node.input(2) == nil || cCount == outputShape[1] {
            var weight = try storedInput(node, 1)
            if !transB { weight = weight.transposed() }
            if alpha != 1 { weight = StoredWeight(weights: .float32(weight.floats().map { $0 * alpha }), shape: weight.shape) }
            var bias: NNWeights?
            if node.input(2) != nil {
                let c = try weightInput(node, 2)
                bias = beta == 1 ? (try vector(node, 2)) : .float32(c.values.map { $0 * beta })
            }
            emit(node, .batchedMatMul(weights: layerWeights(weight), bias: bias, inputSize: weight.shape[1], outputSize: weight.shape[0],
                                      transposeA: false, transposeB: false), [try input(node, 0)])
            return
        }
        // Gemm's operands are rank 2: transposes are explicit layers (the reader needs no ranks).
        var a = try input(node, 0), b = try input(node, 1)
        if transA { a = layer(.transpose(axes: [1, 0]), [a], output: out + "_a", intermediate: true) }
        if transB { b = layer(.transpose(axes: [1, 0]), [b], output: out + "_b", intermediate: true) }
        var result = layer(.batchedMatMul(weights: nil, bias: nil, inputSize: 0, outputSize: 0, transposeA: false, transposeB: false),
                           [a, b], output: out, intermediate: node.input(2) != nil || alpha != 1)
        if alpha != 1 {
            let scale = layer(.loadConstant(shape: [1], data: .float32([alpha])), [], output: out + "_alpha", intermediate: true)
            result = layer(.binary(.multiply), [result, scale], output: out, intermediate: node.input(2) != nil)
        }
        if node.input(2) != nil {
            var bias = try input(node, 2)
            if beta != 1 {
                let scale = layer(.loadConstant(shape: [1], data: .float32([beta])), [], output: out + "_beta", intermediate: true)
                bias = layer(.binary(.multiply), [bias, scale], output: out + "_bias", intermediate: true)
            }
            layer(.binary(.add), [result, bias], output: out)
        }
    }

    /// `batchedMatmul` with weights when B is a rank-2 constant, two inputs otherwise.
    func lowerMatMul(_ node: Node) throws {
        let bName = node.inputs[1]
        if graph.initializers[bName] != nil || storedWeights[bName] != nil {
            let b = try storedInput(node, 1)
            if b.shape.count == 2 {
                let weight = b.transposed()
                emit(node, .batchedMatMul(weights: layerWeights(weight), bias: nil, inputSize: b.shape[0], outputSize: b.shape[1],
                                          transposeA: false, transposeB: false), [try input(node, 0)])
                return
            }
        }
        emit(node, .batchedMatMul(weights: nil, bias: nil, inputSize: 0, outputSize: 0, transposeA: false, transposeB: false),
             [try input(node, 0), try input(node, 1)])
    }

    func lowerBatchNormalization(_ node: Node) throws {
        guard try rank(node.inputs[0], node) == 4 else { throw unsupported(node, "input of rank \(try rank(node.inputs[0], node)), expected NCHW") }
        guard node.outputs.count == 1 || node.outputs[1...].allSatisfy(\.isEmpty) else { throw unsupported(node, "training outputs") }
        let epsilon = try NodeAttributes(exporting: node).float("epsilon", default: 1e-5)
        let parameters = try (1...4).map { try weightInput(node, $0).values }
        emit(node, .batchnorm(channels: parameters[0].count, gamma: .float32(parameters[0]), beta: .float32(parameters[1]),
                              mean: .float32(parameters[2]), variance: .float32(parameters[3]), epsilon: epsilon), [try input(node, 0)])
    }

    /// `layerNormalization` over the trailing dims from `axis` (gamma and beta constant).
    func lowerLayerNormalization(_ node: Node) throws {
        let shape = try staticShape(node.inputs[0], node)
        let axis = try self.axis(try NodeAttributes(exporting: node).int("axis", default: -1), rank: shape.count, node)
        let normalized = Array(shape[axis...])
        let count = normalized.reduce(1, *)
        let epsilon = try NodeAttributes(exporting: node).float("epsilon", default: 1e-5)
        guard node.outputs.count == 1 || node.outputs[1...].allSatisfy(\.isEmpty) else { throw unsupported(node, "Mean/InvStdDev outputs") }
        func expanded(_ index: Int, fill: Float) throws -> NNWeights {
            guard node.input(index) != nil else { return .float32([Float](repeating: fill, count: count)) }
            let values = try weightInput(node, index).values
            guard values.count == count || values.count == 1 else { throw unsupported(node, "input \(index) of \(values.count) values for \(count)") }
            return .float32(values.count == count ? values : [Float](repeating: values[0], count: count))
        }
        emit(node, .layerNorm(shape: normalized, epsilon: epsilon, gamma: try expanded(1, fill: 1), beta: try expanded(2, fill: 0)),
             [try input(node, 0)])
    }
}
