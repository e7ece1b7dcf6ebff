import FerryIR

extension NCNNGraphBuilder {
    func sameRank(_ layer: NCNNLayer) { ranks[layer.outputs[0]] = rank(layer.inputs[0]) }

    func unary(_ layer: NCNNLayer, _ op: String, _ attributes: [String: Attribute] = [:]) {
        apply(layer, op, [layer.inputs[0]], output: layer.outputs[0], attributes)
        sameRank(layer)
    }

    /// An NCNN axis (negative counts from the end) as an IR axis.
    func irAxis(_ layer: NCNNLayer, _ axis: Int, rank: Int) throws -> Int {
        let normalized = axis < 0 ? axis + rank : axis
        guard normalized >= 0 && normalized < rank else { throw unsupported(layer, "axis \(axis) out of range for a rank-\(rank) blob") }
        return normalized + 1
    }

    func importMemoryData(_ layer: NCNNLayer) throws {
        let shape = NCNNLayout.shape(fromParams: layer)
        guard !shape.isEmpty else { throw unsupported(layer, "an empty MemoryData") }
        let count = shape.reduce(1, *)
        let values = layer.int(21, 1) == 0 ? try weights.tagged(count, layer: layer.name).floats : try weights.raw(count, layer: layer.name)
        initializers[layer.outputs[0]] = Tensor(shape: [1] + shape, values: values)
        initializerOrder.append(layer.outputs[0])
        ranks[layer.outputs[0]] = shape.count
    }

    func importBinaryOp(_ layer: NCNNLayer) throws {
        let ops = ["Add", "Sub", "Mul", "Div", "Max", "Min", "Pow", "Sub", "Div", "Pow"]
        let op = layer.int(0, 0)
        guard op >= 0 && op < ops.count else { throw unsupported(layer, "operation \(op)") }
        let reversed = op >= 7
        var (a, b) = (layer.inputs[0], layer.inputs.count > 1 ? layer.inputs[1] : "")
        if layer.int(1, 0) != 0 {
            b = scalar(layer, layer.float(2, 0))
        } else {
            guard layer.inputs.count == 2 else { throw unsupported(layer, "two inputs or with_scalar are needed") }
            guard rank(a) == rank(b) else { throw unsupported(layer, "operands of ranks \(rank(a)) and \(rank(b)); the reader maps equal ranks") }
        }
        if reversed { swap(&a, &b) }
        apply(layer, ops[op], [a, b], output: layer.outputs[0])
        ranks[layer.outputs[0]] = max(rank(layer.inputs[0]), layer.inputs.count > 1 ? rank(layer.inputs[1]) : 0)
    }

    func importUnaryOp(_ layer: NCNNLayer) throws {
        let ops: [Int: String] = [0: "Abs", 1: "Neg", 2: "Floor", 3: "Ceil", 5: "Sqrt", 7: "Exp", 8: "Log", 9: "Sin", 10: "Cos",
                                  15: "Reciprocal", 16: "Tanh"]
        if layer.int(0, 0) == 4 {
            // square: x · x
            apply(layer, "Mul", [layer.inputs[0], layer.inputs[0]], output: layer.outputs[0])
            sameRank(layer)
            return
        }
        guard let op = ops[layer.int(0, 0)] else { throw unsupported(layer, "operation \(layer.int(0, 0))") }
        unary(layer, op)
    }

    func importReshape(_ layer: NCNNLayer) throws {
        let shape = NCNNLayout.shape(fromParams: layer)
        guard !shape.isEmpty, shape.allSatisfy({ $0 > 0 || $0 == -1 }), layer.params[6] == nil else {
            throw unsupported(layer, "a shape with 0 (copy) entries or an expression")
        }
        _ = reshape(layer, layer.inputs[0], to: shape, output: layer.outputs[0])
        ranks[layer.outputs[0]] = shape.count
    }

    func importPermute(_ layer: NCNNLayer) throws {
        let r = rank(layer.inputs[0])
        guard let perm = NCNNPermute.permutation(orderType: layer.int(0, 0), rank: r) else {
            throw unsupported(layer, "order_type \(layer.int(0, 0)) for a rank-\(r) blob")
        }
        apply(layer, "Transpose", [layer.inputs[0]], output: layer.outputs[0], ["perm": .ints([0] + perm.map { $0 + 1 })])
        sameRank(layer)
    }

    func importConcat(_ layer: NCNNLayer) throws {
        let r = rank(layer.inputs[0])
        apply(layer, "Concat", layer.inputs, output: layer.outputs[0], ["axis": .int(try irAxis(layer, layer.int(0, 0), rank: r))])
        sameRank(layer)
    }

    func importSlice(_ layer: NCNNLayer) throws {
        let r = rank(layer.inputs[0])
        let sizes = layer.ints(0)
        guard sizes.count == layer.outputs.count, sizes.allSatisfy({ $0 > 0 }), layer.params[2] == nil else {
            throw unsupported(layer, "slices must list one positive size per output")
        }
        let axis = try irAxis(layer, layer.int(1, 0), rank: r)
        node(layer, "Split", [layer.inputs[0], int64s(layer, "split", sizes)], layer.outputs, ["axis": .int(axis)])
        for output in layer.outputs { ranks[output] = r }
    }

    func importCrop(_ layer: NCNNLayer) throws {
        let r = rank(layer.inputs[0])
        let starts = layer.ints(9), ends = layer.ints(10), axes = layer.ints(11)
        guard !starts.isEmpty, starts.count == ends.count, axes.count == starts.count else {
            throw unsupported(layer, "only numpy-style crops (starts, ends, axes arrays) are read")
        }
        let irAxes = try axes.map { try irAxis(layer, $0, rank: r) }
        apply(layer, "Slice", [layer.inputs[0], int64s(layer, "starts", starts), int64s(layer, "ends", ends.map { $0 == -233 ? Int(Int32.max) : $0 }),
                               int64s(layer, "axes", irAxes)], output: layer.outputs[0])
        sameRank(layer)
    }

    func importSoftmax(_ layer: NCNNLayer) throws {
        guard layer.int(1, 0) == 1 || layer.int(0, 0) == 0 else { throw unsupported(layer, "an old-style axis (fixbug0=0)") }
        let r = rank(layer.inputs[0])
        unary(layer, "Softmax", ["axis": .int(try irAxis(layer, layer.int(0, 0), rank: r))])
    }

    func importReduction(_ layer: NCNNLayer) throws {
        let ops: [Int: String] = [0: "ReduceSum", 3: "ReduceMean", 4: "ReduceMax", 5: "ReduceMin"]
        guard let op = ops[layer.int(0, 0)], layer.float(2, 1) == 1 else { throw unsupported(layer, "operation \(layer.int(0, 0)) or a coefficient") }
        let r = rank(layer.inputs[0])
        let keep = layer.int(4, 0) != 0
        var axes: [Int]
        if layer.int(1, 1) != 0 {
            axes = Array(1...r)
        } else {
            guard layer.int(5, 0) == 1 else { throw unsupported(layer, "old-style axes (fixbug0=0)") }
            axes = try layer.ints(3).map { try irAxis(layer, $0, rank: r) }
        }
        apply(layer, op, [layer.inputs[0], int64s(layer, "axes", axes)], output: keep ? layer.outputs[0] : nil, ["keepdims": .int(1)])
        if keep {
            ranks[layer.outputs[0]] = r
        } else {
            let remaining = max(r - axes.count, 1)
            let squeezed = nodes.last!.outputs[0]
            // NCNN drops the reduced axes; a full reduction leaves a 1-element vector.
            apply(layer, "Reshape", [squeezed, int64s(layer, "shape", [1, -1])], output: remaining == 1 ? layer.outputs[0] : nil)
            if remaining > 1 { throw unsupported(layer, "keepdims=0 leaving \(remaining) axes") }
            ranks[layer.outputs[0]] = 1
        }
    }

    func importLayerNorm(_ layer: NCNNLayer) throws {
        let size = layer.int(0, 0), eps = layer.float(1, 0.001), affine = layer.int(2, 1) != 0
        let gamma = affine ? try weights.raw(size, layer: layer.name) : Array(repeating: 1, count: size)
        let beta = affine ? try weights.raw(size, layer: layer.name) : Array(repeating: 0, count: size)
        // On a c, h, w blob NCNN normalizes rows or whole channels depending on w at run time;
        // the exporter writes LayerNorm on 1-D and 2-D blobs only (rows), so that is what is read.
        guard rank(layer.inputs[0]) <= 2 else { throw unsupported(layer, "a 3-D blob (the reader maps LayerNorm over rows of 1-D and 2-D blobs)") }
        apply(layer, "LayerNormalization", [layer.inputs[0], constant(layer, "gamma", Tensor(shape: [size], values: gamma)),
                                            constant(layer, "beta", Tensor(shape: [size], values: beta))],
              output: layer.outputs[0], ["axis": .int(-1), "epsilon": .float(eps)])
        sameRank(layer)
    }

    func importBatchNorm(_ layer: NCNNLayer) throws {
        let channels = layer.int(0, 0), eps = layer.float(1, 0)
        let slope = try weights.raw(channels, layer: layer.name), mean = try weights.raw(channels, layer: layer.name)
        let variance = try weights.raw(channels, layer: layer.name), bias = try weights.raw(channels, layer: layer.name)
        let inputs = [layer.inputs[0]] + [slope, bias, mean, variance].enumerated().map {
            constant(layer, "bn\($0.offset)", Tensor(shape: [channels], values: $0.element))
        }
        unary(layer, "BatchNormalization", ["epsilon": .float(eps)])
        nodes[nodes.count - 1].inputs = inputs
    }

    func importMatMul(_ layer: NCNNLayer) throws {
        guard layer.inputs.count == 2 else { throw unsupported(layer, "two inputs are needed") }
        let a = layer.inputs[0]
        var b = layer.inputs[1]
        guard rank(a) == rank(b), rank(a) >= 2 else { throw unsupported(layer, "operands of ranks \(rank(a)) and \(rank(b)); the reader maps equal ranks of 2 or more") }
        if layer.int(0, 0) != 0 {
            var perm = Array(0...rank(b))
            perm.swapAt(perm.count - 1, perm.count - 2)
            b = apply(layer, "Transpose", [b], ["perm": .ints(perm)])
        }
        apply(layer, "MatMul", [a, b], output: layer.outputs[0])
        sameRank(layer)
    }

    func importPooling(_ layer: NCNNLayer) throws {
        let type = layer.int(0, 0)
        guard type == 0 || type == 1 else { throw unsupported(layer, "pooling type \(type)") }
        guard rank(layer.inputs[0]) == 3 else { throw unsupported(layer, "input of rank \(rank(layer.inputs[0]))") }
        if layer.int(4, 0) != 0 {
            let pooled = apply(layer, type == 0 ? "GlobalMaxPool" : "GlobalAveragePool", [layer.inputs[0]])
            apply(layer, "Flatten", [pooled], output: layer.outputs[0], ["axis": .int(1)])
            ranks[layer.outputs[0]] = 1
            return
        }
        if layer.int(7, 0) != 0 {
            guard layer.int(8, 0) == 1, layer.int(18, layer.int(8, 0)) == 1 else { throw unsupported(layer, "adaptive pooling to more than 1×1") }
            apply(layer, type == 0 ? "GlobalMaxPool" : "GlobalAveragePool", [layer.inputs[0]], output: layer.outputs[0])
            ranks[layer.outputs[0]] = 3
            return
        }
        let kw = layer.int(1, 0), kh = layer.int(11, kw), sw = layer.int(2, 1), sh = layer.int(12, sw)
        let pl = layer.int(3, 0), pr = layer.int(14, pl), pt = layer.int(13, pl), pb = layer.int(15, pt)
        guard layer.int(5, 0) == 1 else { throw unsupported(layer, "pad_mode \(layer.int(5, 0)); the reader maps valid padding (1)") }
        var attributes: [String: Attribute] = ["kernel_shape": .ints([kh, kw]), "strides": .ints([sh, sw]), "pads": .ints([pt, pl, pb, pr])]
        if type == 1 { attributes["count_include_pad"] = .int(layer.int(6, 0)) }
        apply(layer, type == 0 ? "MaxPool" : "AveragePool", [layer.inputs[0]], output: layer.outputs[0], attributes)
        ranks[layer.outputs[0]] = 3
    }

    func importPadding(_ layer: NCNNLayer) throws {
        let r = rank(layer.inputs[0])
        let modes = ["constant", "edge", "reflect"]
        let type = layer.int(4, 0)
        guard type >= 0 && type < 3, layer.int(6, 0) == 0, r >= 2 && r <= 3 || (layer.int(7, 0) == 0 && layer.int(8, 0) == 0) else {
            throw unsupported(layer, "padding type \(type), per-channel values or front/behind on a rank-\(r) blob")
        }
        let irRank = r + 1
        var begin = Array(repeating: 0, count: irRank), end = begin
        begin[irRank - 2] = layer.int(0, 0); end[irRank - 2] = layer.int(1, 0)
        begin[irRank - 1] = layer.int(2, 0); end[irRank - 1] = layer.int(3, 0)
        if r == 3 { begin[1] = layer.int(7, 0); end[1] = layer.int(8, 0) }
        if r == 1 && (layer.int(0, 0) != 0 || layer.int(1, 0) != 0) { throw unsupported(layer, "top/bottom padding of a 1-D blob") }
        apply(layer, "Pad", [layer.inputs[0], int64s(layer, "pads", begin + end), scalar(layer, layer.float(5, 0))], output: layer.outputs[0],
              ["mode": .string(modes[type])])
        sameRank(layer)
    }
}
