import FerryIR

extension IRBuilder {
    /// ONNX pads/auto_pad from MIL's pad_type and pad ([b0, e0, b1, e1, …] → [b0, b1, …, e0, e1, …]).
    func padding(_ r: MILOperationReader, spatial: Int) throws -> [String: Attribute] {
        switch try r.string("pad_type", default: "valid") {
        case "custom":
            let pad = r.has("pad") ? try r.ints("pad") : Array(repeating: 0, count: 2 * spatial)
            guard pad.count == 2 * spatial else { throw r.fail("pad has \(pad.count) values for \(spatial) spatial dims") }
            return ["pads": .ints((0..<spatial).map { pad[2 * $0] } + (0..<spatial).map { pad[2 * $0 + 1] })]
        case "valid": return ["auto_pad": .string("VALID")]
        case "same": return ["auto_pad": .string("SAME_UPPER")]
        case "same_lower": return ["auto_pad": .string("SAME_LOWER")]
        case let other: throw r.fail("pad_type '\(other)'")
        }
    }

    func readConv(_ r: MILOperationReader) throws {
        let weightType = try r.type("weight")
        let spatial = weightType.shape.count - 2
        var attributes = try padding(r, spatial: spatial)
        if r.has("strides") { attributes["strides"] = .ints(try r.ints("strides")) }
        if r.has("dilations") { attributes["dilations"] = .ints(try r.ints("dilations")) }
        attributes["group"] = .int(try r.int("groups", default: 1))
        var inputs = [try r.value("x"), try r.value("weight")]
        if r.has("bias") { inputs.append(try r.value("bias")) }
        try one(r, "Conv", inputs, attributes)
    }

    /// conv_transpose with custom or valid padding → ConvTranspose (weights in the same order).
    func readConvTranspose(_ r: MILOperationReader) throws {
        let spatial = try r.type("weight").shape.count - 2
        guard !r.has("output_shape") else { throw r.fail("output_shape (Ferry writes explicit pads)") }
        var attributes = try padding(r, spatial: spatial)
        if case .string(let autoPad)? = attributes["auto_pad"], autoPad != "VALID" { throw r.fail("pad_type 'same' (ONNX places the pads otherwise)") }
        if r.has("strides") { attributes["strides"] = .ints(try r.ints("strides")) }
        if r.has("dilations") { attributes["dilations"] = .ints(try r.ints("dilations")) }
        attributes["group"] = .int(try r.int("groups", default: 1))
        var inputs = [try r.value("x"), try r.value("weight")]
        if r.has("bias") { inputs.append(try r.value("bias")) }
        try one(r, "ConvTranspose", inputs, attributes)
    }

    func readPool(_ r: MILOperationReader, _ op: String) throws {
        let kernel = try r.ints("kernel_sizes")
        var attributes = try padding(r, spatial: kernel.count)
        attributes["kernel_shape"] = .ints(kernel)
        if r.has("strides") { attributes["strides"] = .ints(try r.ints("strides")) }
        attributes["ceil_mode"] = .int(try r.bool("ceil_mode", default: false) ? 1 : 0)
        if op == "AveragePool" { attributes["count_include_pad"] = .int(try r.bool("exclude_padding_from_average", default: false) ? 0 : 1) }
        try one(r, op, [try r.value("x")], attributes)
    }

    /// x · Wᵀ + b on the last axis.
    func readLinear(_ r: MILOperationReader) throws {
        let output = r.operation.outputs[0]
        guard case .tensor(let weight) = try r.constant("weight") else { throw r.fail("weight is not a tensor") }
        let transposed = initializer(IRBuilder.irTensor(weight).transposed([1, 0]), output.name + "/weight_t")
        let x = try r.value("x")
        define(output.name, output.type) { target in
            if r.has("bias"), let bias = try? r.value("bias") {
                node("MatMul", [x, transposed], [output.name + "/product"])
                node("Add", [output.name + "/product", bias], [target])
            } else {
                node("MatMul", [x, transposed], [target])
            }
        }
    }

    func readMatMul(_ r: MILOperationReader) throws {
        let output = r.operation.outputs[0]
        var x = try r.value("x"), y = try r.value("y")
        func swapped(_ value: String, _ type: MILTensorType, _ label: String) -> String {
            let rank = type.shape.count
            let perm = Array(0..<(rank - 2)) + [rank - 1, rank - 2]
            node("Transpose", [value], [output.name + "/" + label], ["perm": .ints(perm)])
            return output.name + "/" + label
        }
        if try r.bool("transpose_x", default: false) { x = swapped(x, try r.type("x"), "x_t") }
        if try r.bool("transpose_y", default: false) { y = swapped(y, try r.type("y"), "y_t") }
        try one(r, "MatMul", [x, y])
    }

    /// cast: between fp16 and fp32 a rounding (the IR stays float32), from integers or bool to
    /// a float, to int32 or to bool a Cast.
    func readCast(_ r: MILOperationReader) throws {
        let output = r.operation.outputs[0]
        let x = try r.value("x")
        switch try r.string("dtype", default: "") {
        case "fp16", "fp32":
            let fromFloat = try r.type("x").dataType.irType.isFloatingPoint
            define(output.name, output.type) { target in
                if fromFloat {
                    node("Identity", [x], [target])
                } else {
                    node("Cast", [x], [target], ["to": .int(Int(DataType.float32.rawValue))])
                }
            }
        case "int32": try one(r, "Cast", [x], ["to": .int(Int(DataType.int32.rawValue))])
        case "bool": try one(r, "Cast", [x], ["to": .int(Int(DataType.bool.rawValue))])
        case let other: throw r.fail("dtype '\(other)'")
        }
    }

    func readGelu(_ r: MILOperationReader) throws {
        let mode = try r.string("mode", default: "EXACT")
        guard mode == "EXACT" || mode == "TANH_APPROXIMATION" else { throw r.fail("mode '\(mode)'") }
        try one(r, "Gelu", [try r.value("x")], ["approximate": .string(mode == "EXACT" ? "none" : "tanh")])
    }

    func readBatchNorm(_ r: MILOperationReader) throws {
        let channels = try r.type("mean").shape[0] ?? 1
        let gamma = r.has("gamma") ? try r.value("gamma") : initializer(Tensor(shape: [channels], values: [Float](repeating: 1, count: channels)), r.output + "/gamma")
        let beta = r.has("beta") ? try r.value("beta") : initializer(Tensor(shape: [channels], values: [Float](repeating: 0, count: channels)), r.output + "/beta")
        try one(r, "BatchNormalization", [try r.value("x"), gamma, beta, try r.value("mean"), try r.value("variance")],
                ["epsilon": .float(try r.float("epsilon", default: 1e-5))])
    }

    /// layer_norm over trailing axes → LayerNormalization(axis = first of them).
    func readLayerNorm(_ r: MILOperationReader) throws {
        let rank = try r.type("x").shape.count
        let axes = try r.ints("axes").map { $0 < 0 ? $0 + rank : $0 }.sorted()
        guard !axes.isEmpty, axes == Array(axes[0]..<rank) else { throw r.fail("axes \(axes) are not the trailing axes") }
        let normalized = axes.map { try? r.type("x").shape[$0] }.compactMap { $0 ?? nil }
        let count = normalized.reduce(1, *)
        let shape = Array(normalized)
        let gamma = r.has("gamma") ? try r.value("gamma") : initializer(Tensor(shape: shape, values: [Float](repeating: 1, count: count)), r.output + "/gamma")
        var inputs = [try r.value("x"), gamma]
        if r.has("beta") { inputs.append(try r.value("beta")) }
        try one(r, "LayerNormalization", inputs, ["axis": .int(axes[0]), "epsilon": .float(try r.float("epsilon", default: 1e-5))])
    }

    func readReduce(_ r: MILOperationReader, _ op: String) throws {
        let rank = try r.type("x").shape.count
        let axes = r.has("axes") ? try r.ints("axes") : Array(0..<rank)
        try one(r, op, [try r.value("x"), int64s(axes, r.output + "/axes")], ["keepdims": .int(try r.bool("keep_dims", default: false) ? 1 : 0)])
    }

    /// reduce_argmax → ArgMax (int64) then Cast to MIL's int32.
    func readArgExtreme(_ r: MILOperationReader, _ op: String) throws {
        let output = r.operation.outputs[0]
        let x = try r.value("x"), axis = try r.int("axis", default: -1), keep = try r.bool("keep_dims", default: false)
        define(output.name, output.type) { target in
            node(op, [x], [output.name + "/int64"], ["axis": .int(axis), "keepdims": .int(keep ? 1 : 0)])
            node("Cast", [output.name + "/int64"], [target], ["to": .int(Int(DataType.int32.rawValue))])
        }
    }

    func readSlice(_ r: MILOperationReader) throws {
        guard let shape = Optional(try r.type("x").shape), shape.allSatisfy({ $0 != nil }) else { throw r.fail("dynamic input shape") }
        let rank = shape.count
        var begin = try r.ints("begin"), end = try r.ints("end")
        let stride = r.has("stride") ? try r.ints("stride") : Array(repeating: 1, count: rank)
        let beginMask = r.has("begin_mask") ? try r.ints("begin_mask") : Array(repeating: 0, count: rank)
        let endMask = r.has("end_mask") ? try r.ints("end_mask") : Array(repeating: 0, count: rank)
        if r.has("squeeze_mask"), try r.ints("squeeze_mask").contains(where: { $0 != 0 }) { throw r.fail("squeeze_mask") }
        for axis in 0..<rank {
            if beginMask[axis] != 0 { begin[axis] = stride[axis] > 0 ? 0 : Int(Int32.max) }
            if endMask[axis] != 0 { end[axis] = stride[axis] > 0 ? Int(Int32.max) : Int(Int32.min) }
            // MIL's end -1 with a negative stride means "through index 0"; ONNX spells that INT_MIN.
            if stride[axis] < 0 && end[axis] == -1 && endMask[axis] == 0 { end[axis] = Int(Int32.min) }
        }
        try one(r, "Slice", [try r.value("x"), int64s(begin, r.output + "/starts"), int64s(end, r.output + "/ends"),
                              int64s(Array(0..<rank), r.output + "/axes"), int64s(stride, r.output + "/steps")])
    }

    func readAffineDequantize(_ r: MILOperationReader) throws {
        let op = r.operation
        let output = op.outputs[0]
        guard let data = op.attribute("quantized_data")?.tensor, let scale = op.attribute("scale")?.tensor,
              let zero = op.attribute("zero_point")?.tensor, let axis = op.attribute("axis")?.tensor?.integers().first else {
            throw r.fail("quantized_data, scale, zero_point and axis attributes are needed")
        }
        guard zero.dataType == data.dataType, zero.count == scale.count || zero.count == 1 && (zero.dataType == .int8 || zero.dataType == .uint8), scale.count == 1 || scale.count == data.shape[axis] else {
            throw r.fail("zero_point/scale do not fit quantized_data \(data.shape) on axis \(axis)")
        }
        let q = initializer(data, output.name + "/quantized")
        let s = initializer(IRBuilder.irTensor(scale).reshaped(scale.count == 1 ? [] : [scale.count]), output.name + "/scale")
        // A scalar zero point serves every channel (the op broadcasts it); DequantizeLinear
        // takes one per scale.
        var zeros = zero
        if zero.count == 1 && scale.count > 1 {
            let point = zero.integers()[0]
            zeros = zero.dataType == .int8 ? Tensor(shape: [scale.count], values: [Int8](repeating: Int8(point), count: scale.count))
                : Tensor(shape: [scale.count], values: [UInt8](repeating: UInt8(point), count: scale.count))
        }
        let z = initializer(zeros.reshaped(scale.count == 1 ? [] : [scale.count]), output.name + "/zero_point")
        // Constants on the device: the expanded weights are stored in the output type (fp16 rounds).
        define(output.name, output.type) { target in node("DequantizeLinear", [q, s, z], [target], ["axis": .int(axis)]) }
    }
}

extension IRBuilder {
    /// pad (constant amounts for the last N axes, [b, e] per axis) → ONNX Pad with every axis
    /// ([b0, b1, …, e0, e1, …]); replicate is ONNX's edge.
    func readPad(_ r: MILOperationReader) throws {
        let rank = try r.type("x").shape.count
        let pad = try r.ints("pad")
        guard pad.count % 2 == 0, pad.count <= 2 * rank, pad.allSatisfy({ $0 >= 0 }) else {
            throw r.fail("pad \(pad) does not fit a rank-\(rank) input")
        }
        let leading = rank - pad.count / 2
        let before = [Int](repeating: 0, count: leading) + stride(from: 0, to: pad.count, by: 2).map { pad[$0] }
        let after = [Int](repeating: 0, count: leading) + stride(from: 1, to: pad.count, by: 2).map { pad[$0] }
        let mode: String
        switch try r.string("mode", default: "constant") {
        case "constant": mode = "constant"
        case "reflect": mode = "reflect"
        case "replicate": mode = "edge"
        case let other: throw r.fail("mode '\(other)'")
        }
        var inputs = [try r.value("x"), int64s(before + after, r.output + "/pads")]
        if mode == "constant" {
            inputs.append(initializer(Tensor(scalar: try r.float("constant_val", default: 0)), r.output + "/constant_value"))
        }
        try one(r, "Pad", inputs, ["mode": .string(mode)])
    }
}
