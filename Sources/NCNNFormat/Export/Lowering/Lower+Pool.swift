import FerryIR

extension NCNNEmitter {
    /// MaxPool/AveragePool (2-D) → Pooling with explicit pads (pad_mode 1: NCNN adds no tail).
    func lowerPool(_ node: Node, max: Bool) throws {
        guard let x = node.input(0) else { throw unsupported(node, "input 0 is missing") }
        guard node.outputs.count == 1 || node.outputs[1].isEmpty else { throw unsupported(node, "the Indices output") }
        let xShape = try shape(x), output = node.outputs[0], outShape = try shape(output)
        guard xShape.count == 4, xShape[0] == 1 else { throw unsupported(node, "only 2-D pooling of one sample maps to NCNN") }
        let a = NodeAttributes(exporting: node)
        guard let kernel = try a.ints("kernel_shape"), kernel.count == 2 else { throw unsupported(node, "kernel_shape must be 2-D") }
        let strides = try a.ints("strides") ?? [1, 1]
        let dilations = try a.ints("dilations") ?? [1, 1]
        guard dilations == [1, 1] else { throw unsupported(node, "dilated pooling") }
        let pads = try windowPads(node, input: [xShape[2], xShape[3]], kernel: kernel, strides: strides, dilations: dilations)
        for i in 0..<2 {
            let floor = (xShape[2 + i] + pads[i] + pads[i + 2] - kernel[i]) / strides[i] + 1
            guard outShape[2 + i] == floor else { throw unsupported(node, "ceil_mode output sizes (NCNN's valid padding floors)") }
        }
        var params: [Int: NCNNParamValue] = [
            0: .int(max ? 0 : 1), 1: .int(kernel[1]), 11: .int(kernel[0]), 2: .int(strides[1]), 12: .int(strides[0]),
            3: .int(pads[1]), 13: .int(pads[0]), 14: .int(pads[3]), 15: .int(pads[2]), 5: .int(1),
        ]
        if !max { params[6] = .int(try a.int("count_include_pad", default: 0)) }
        let shape = try layout(output).shape
        let blob = newBlob(output)
        try emit("Pooling", name: node.name.isEmpty ? output : node.name, inputs: [try self.blob(x)], outputs: [blob], params: params)
        define(output, blob: blob, shape: shape)
    }

    /// GlobalAveragePool/GlobalMaxPool → Pooling with global_pooling, whose blob is 1-D [C]
    /// (the same elements as ONNX's [1, C, 1, 1], reshaped only if a consumer needs 3-D).
    func lowerGlobalPool(_ node: Node, max: Bool) throws {
        guard let x = node.input(0) else { throw unsupported(node, "input 0 is missing") }
        let xShape = try shape(x)
        guard xShape.count == 4, xShape[0] == 1 else { throw unsupported(node, "only 2-D pooling of one sample maps to NCNN") }
        let output = node.outputs[0]
        let blob = newBlob(output)
        try emit("Pooling", name: node.name.isEmpty ? output : node.name, inputs: [try self.blob(x)], outputs: [blob],
                 params: [0: .int(max ? 0 : 1), 4: .int(1)])
        define(output, blob: blob, shape: [xShape[1]])
    }
}
