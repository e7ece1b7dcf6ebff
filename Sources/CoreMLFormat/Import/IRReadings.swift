import FerryIR

/// Every MIL op the reader maps, read top to bottom: MIL op → the IR (ONNX) nodes computing it.
enum IRReadings {
    typealias Reading = @Sendable (IRBuilder, MILOperationReader) throws -> Void

    static let table: [String: Reading] = [
        "abs": unary("Abs"), "ceil": unary("Ceil"), "cos": unary("Cos"), "erf": unary("Erf"), "exp": unary("Exp"),
        "floor": unary("Floor"), "log": unary("Log"), "relu": unary("Relu"), "sigmoid": unary("Sigmoid"), "sin": unary("Sin"),
        "sqrt": unary("Sqrt"), "tanh": unary("Tanh"), "identity": unary("Identity"),
        "add": binary("Add"), "sub": binary("Sub"), "mul": binary("Mul"), "real_div": binary("Div"),
        "maximum": binary("Max"), "minimum": binary("Min"), "pow": binary("Pow"),
        "avg_pool": { b, r in try b.readPool(r, "AveragePool") },
        "batch_norm": { b, r in try b.readBatchNorm(r) },
        "cast": { b, r in try b.readCast(r) },
        "classify": { b, r in try b.readClassify(r) },
        "clip": { b, r in try b.one(r, "Clip", [try r.value("x"), try r.value("alpha"), try r.value("beta")]) },
        "concat": { b, r in try b.one(r, "Concat", try r.values("values"), ["axis": .int(try r.int("axis", default: 0))]) },
        "constexpr_affine_dequantize": { b, r in try b.readAffineDequantize(r) },
        "constexpr_lut_to_dense": { b, r in try b.readCompressedWeight(r) },
        "constexpr_sparse_to_dense": { b, r in try b.readCompressedWeight(r) },
        "conv": { b, r in try b.readConv(r) },
        "conv_transpose": { b, r in try b.readConvTranspose(r) },
        "elu": { b, r in try b.one(r, "Elu", [try r.value("x")], ["alpha": .float(try r.float("alpha", default: 1))]) },
        "gather": { b, r in try b.one(r, "Gather", [try r.value("x"), try r.value("indices")], ["axis": .int(try r.int("axis", default: 0))]) },
        "gelu": { b, r in try b.readGelu(r) },
        "layer_norm": { b, r in try b.readLayerNorm(r) },
        "leaky_relu": { b, r in try b.one(r, "LeakyRelu", [try r.value("x")], ["alpha": .float(try r.float("alpha", default: 0.01))]) },
        "linear": { b, r in try b.readLinear(r) },
        "lstm": { b, r in try b.readLSTM(r) },
        "matmul": { b, r in try b.readMatMul(r) },
        "max_pool": { b, r in try b.readPool(r, "MaxPool") },
        "pad": { b, r in try b.readPad(r) },
        "reduce_argmax": { b, r in try b.readArgExtreme(r, "ArgMax") },
        "reduce_argmin": { b, r in try b.readArgExtreme(r, "ArgMin") },
        "reduce_max": { b, r in try b.readReduce(r, "ReduceMax") },
        "reduce_mean": { b, r in try b.readReduce(r, "ReduceMean") },
        "reduce_min": { b, r in try b.readReduce(r, "ReduceMin") },
        "reduce_prod": { b, r in try b.readReduce(r, "ReduceProd") },
        "reduce_sum": { b, r in try b.readReduce(r, "ReduceSum") },
        "reshape": { b, r in try b.one(r, "Reshape", [try r.value("x"), b.int64s(try r.ints("shape"), r.output + "/shape")]) },
        "resize_bilinear": { b, r in try b.readResize(r) },
        "resize_nearest_neighbor": { b, r in try b.readResize(r) },
        "sigmoid_hard": { b, r in
            try b.one(r, "HardSigmoid", [try r.value("x")], ["alpha": .float(try r.float("alpha", default: 0.2)), "beta": .float(try r.float("beta", default: 0.5))])
        },
        "slice_by_index": { b, r in try b.readSlice(r) },
        "squeeze": { b, r in
            let rank = try r.type("x").shape.count
            let axes = r.has("axes") ? try r.ints("axes") : try r.type("x").shape.enumerated().filter { $0.element == 1 }.map(\.offset)
            try b.one(r, "Squeeze", [try r.value("x"), b.int64s(axes.map { $0 < 0 ? $0 + rank : $0 }, r.output + "/axes")])
        },
        "softmax": { b, r in try b.one(r, "Softmax", [try r.value("x")], ["axis": .int(try r.int("axis", default: -1))]) },
        "transpose": { b, r in try b.one(r, "Transpose", [try r.value("x")], ["perm": .ints(try r.ints("perm"))]) },
        "upsample_bilinear": { b, r in try b.readResize(r) },
        "upsample_nearest_neighbor": { b, r in try b.readResize(r) },
    ]

    static func unary(_ op: String) -> Reading { { b, r in try b.one(r, op, [try r.value("x")]) } }
    static func binary(_ op: String) -> Reading { { b, r in try b.one(r, op, [try r.value("x"), try r.value("y")]) } }
}

extension IRBuilder {
    /// One IR node computing the op's single output.
    func one(_ r: MILOperationReader, _ op: String, _ inputs: [String], _ attributes: [String: Attribute] = [:]) throws {
        let output = r.operation.outputs[0]
        define(output.name, output.type) { target in node(op, inputs, [target], attributes) }
    }
}
