import FerryIR

extension MILEmitter {
    /// conv with pad_type custom; ONNX pads [b0, b1, …, e0, e1, …] become MIL's [b0, e0, b1, e1, …].
    func lowerConv(_ node: Node) throws {
        let attributes = NodeAttributes(exporting: node)
        let weightShape = try staticShape(node.inputs[1], node)
        let spatial = weightShape.count - 2
        guard spatial >= 1 && spatial <= 3 else { throw unsupported(node, "\(spatial)-d convolution") }
        let out = node.outputs[0]
        var inputs: [(String, String)] = [("x", try input(node, 0)), ("weight", try input(node, 1))]
        if node.input(2) != nil { inputs.append(("bias", try input(node, 2))) }
        inputs += [("strides", int32s(try attributes.ints("strides") ?? Array(repeating: 1, count: spatial), name: out + "_strides"))]
        inputs += try padding(node, spatial: spatial, kernel: Array(weightShape.dropFirst(2)), dilations: try attributes.ints("dilations"))
        inputs += [("dilations", int32s(try attributes.ints("dilations") ?? Array(repeating: 1, count: spatial), name: out + "_dilations")),
                   ("groups", int32s([try attributes.int("group", default: 1)], name: out + "_groups", scalar: true))]
        try emit(node, "conv", inputs)
    }

    /// `pad_type` and `pad` inputs for conv and pooling, from auto_pad and pads.
    func padding(_ node: Node, spatial: Int, kernel: [Int], dilations: [Int]?) throws -> [(String, String)] {
        let attributes = NodeAttributes(exporting: node)
        let out = node.outputs[0]
        switch try attributes.string("auto_pad", default: "NOTSET") {
        case "NOTSET":
            let pads = try attributes.ints("pads") ?? Array(repeating: 0, count: 2 * spatial)
            guard pads.count == 2 * spatial else { throw unsupported(node, "pads has \(pads.count) values for \(spatial) spatial dims") }
            let mil = (0..<spatial).flatMap { [pads[$0], pads[$0 + spatial]] }
            return [("pad_type", string("custom", name: out + "_pad_type")), ("pad", int32s(mil, name: out + "_pad"))]
        case "VALID":
            return [("pad_type", string("valid", name: out + "_pad_type"))]
        case "SAME_UPPER":
            return [("pad_type", string("same", name: out + "_pad_type"))]
        case "SAME_LOWER":
            return [("pad_type", string("same_lower", name: out + "_pad_type"))]
        case let other:
            throw unsupported(node, "auto_pad '\(other)'")
        }
    }

    func lowerPool(_ node: Node, max: Bool) throws {
        let attributes = NodeAttributes(exporting: node)
        guard let kernel = try attributes.ints("kernel_shape") else { throw unsupported(node, "kernel_shape is missing") }
        if let dilations = try attributes.ints("dilations"), dilations.contains(where: { $0 != 1 }) {
            throw unsupported(node, "dilated pooling (MIL pools have no dilations)")
        }
        guard node.outputs.count == 1 || node.outputs[1].isEmpty else { throw unsupported(node, "the Indices output") }
        let out = node.outputs[0]
        var inputs: [(String, String)] = [("x", try input(node, 0)), ("kernel_sizes", int32s(kernel, name: out + "_kernel_sizes")),
                                          ("strides", int32s(try attributes.ints("strides") ?? kernel.map { _ in 1 }, name: out + "_strides"))]
        inputs += try padding(node, spatial: kernel.count, kernel: kernel, dilations: nil)
        inputs.append(("ceil_mode", bool(try attributes.int("ceil_mode", default: 0) != 0, name: out + "_ceil_mode")))
        if !max {
            inputs.append(("exclude_padding_from_average", bool(try attributes.int("count_include_pad", default: 0) == 0, name: out + "_exclude_padding")))
        }
        try emit(node, max ? "max_pool" : "avg_pool", inputs)
    }

    /// linear when B is a constant (alpha folded into it, bias = beta·C); matmul otherwise.
    func lowerGemm(_ node: Node) throws {
        let attributes = NodeAttributes(exporting: node)
        let alpha = try attributes.float("alpha", default: 1), beta = try attributes.float("beta", default: 1)
        let transA = try attributes.int("transA", default: 0) != 0, transB = try attributes.int("transB", default: 0) != 0
        let out = node.outputs[0]
        let outputShape = try staticShape(out, node)
        let c = node.input(2).flatMap { graph.initializers[$0] }
        if !transA, let b = graph.initializers[node.inputs[1]], node.input(2) == nil || (c != nil && c!.count == outputShape[1]) {
            var weight = b.dataType == .float32 ? b : Tensor(shape: b.shape, values: b.doubles().map { Float($0) })
            if !transB { weight = weight.transposed([1, 0]) }
            if alpha != 1 { weight = Tensor(shape: weight.shape, values: weight.elements(as: Float.self).map { $0 * alpha }) }
            var inputs: [(String, String)] = [("x", try input(node, 0)), ("weight", try const(weight, name: node.inputs[1], weight: true))]
            if let c {
                inputs.append(("bias", floats(c.doubles().map { Float($0) * beta }, shape: [c.count], name: node.inputs[2], weight: true)))
            }
            try emit(node, "linear", inputs)
            return
        }
        let type = try irTensorType(out, node)
        var result = op("matmul", [("x", try input(node, 0)), ("y", try input(node, 1)),
                                   ("transpose_x", bool(transA, name: out + "_transpose_x")), ("transpose_y", bool(transB, name: out + "_transpose_y"))],
                        output: node.input(2) == nil && alpha == 1 ? out : out + "_product", type)
        if alpha != 1 {
            result = op("mul", [("x", result), ("y", float(alpha, name: out + "_alpha"))], output: node.input(2) == nil ? out : out + "_scaled", type)
        }
        if node.input(2) != nil {
            var bias = try input(node, 2)
            if beta != 1 { bias = op("mul", [("x", bias), ("y", float(beta, name: out + "_beta"))], output: out + "_bias", types[bias]!) }
            result = op("add", [("x", result), ("y", bias)], output: out, type)
        }
        values[out] = result
    }

    func lowerMatMul(_ node: Node) throws {
        let out = node.outputs[0]
        try emit(node, "matmul", [("x", try input(node, 0)), ("y", try input(node, 1)),
                                  ("transpose_x", bool(false, name: out + "_transpose_x")), ("transpose_y", bool(false, name: out + "_transpose_y"))])
    }
}
