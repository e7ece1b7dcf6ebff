import FerryIR

extension TFLiteEmitter {
    func lowerPool(_ node: Node, max isMax: Bool) throws {
        let x = node.inputs[0], out = node.outputs[0]
        let shape = try self.shape(x), outShape = try self.shape(out)
        guard shape.count == 4 else { throw unsupported(node, "only 2-D pools (rank-4 input) map to TFLite") }
        guard node.outputs.count < 2 || node.outputs[1].isEmpty else { throw unsupported(node, "the Indices output") }
        let attributes = NodeAttributes(exporting: node)
        guard let kernel = try attributes.ints("kernel_shape"), kernel.count == 2 else { throw unsupported(node, "kernel_shape") }
        var window = try Window2D(node, kernel: kernel, input: [shape[2], shape[3]], emitter: self)
        guard window.dilations == [1, 1] else { throw unsupported(node, "dilated pooling") }
        let countPads = try attributes.int("count_include_pad", default: 0) == 1
        // ceil_mode: extend the end padding until VALID windows give the ONNX output size.
        for axis in 0..<2 {
            let padded = shape[2 + axis] + window.pads[axis] + window.pads[axis + 2]
            let valid = (padded - kernel[axis]) / window.strides[axis] + 1
            if valid < outShape[2 + axis] {
                guard isMax else { throw unsupported(node, "ceil_mode windows that average over padding") }
                window.pads[axis + 2] += (outShape[2 + axis] - 1) * window.strides[axis] + kernel[axis] - padded
            }
        }
        var padValue: Float? = nil
        if isMax { padValue = -Float.greatestFiniteMagnitude }
        else if countPads { padValue = 0 }
        // Average pools that exclude padding match TFLite's SAME (which excludes it) only; those
        // that count it get explicit zeros. Max pools pad with the lowest float.
        let (input, padding): (Int32, TFLitePadding)
        if !isMax && countPads && window.pads.contains(where: { $0 != 0 }) {
            (input, padding) = try windowInputForcedPad(x, window: window, node: node)
        } else {
            (input, padding) = try windowInput(x, window: window, padValue: padValue, node: node)
        }
        let (activation, output) = try fuseActivation(after: out)
        let y = try define(output, perm: Permutation.channelsLast(4))
        emit(isMax ? .maxPool2D : .averagePool2D, inputs: [input], outputs: [y],
             options: .pool2D(.init(padding: padding, strideW: Int32(window.strides[1]), strideH: Int32(window.strides[0]),
                                    filterW: Int32(kernel[1]), filterH: Int32(kernel[0]), activation: activation)))
    }

    /// Zero padding made explicit even where SAME would match (count_include_pad=1 counts it).
    private func windowInputForcedPad(_ name: String, window: Window2D, node: Node) throws -> (Int32, TFLitePadding) {
        let nhwc = Permutation.channelsLast(4)
        let x = try tensor(name, perm: nhwc)
        let shape = try self.shape(name)
        let p = window.pads
        let padded = [shape[0], shape[2] + p[0] + p[2], shape[3] + p[1] + p[3], shape[1]]
        let output = try addTensor(name: "\(node.outputs[0])/padded", shape: padded, type: try type(name),
                                   quantization: quantization(of: name, perm: nhwc))
        let paddings = try int32Constant([0, 0, p[0], p[2], p[1], p[3], 0, 0], shape: [4, 2], name: "\(node.outputs[0])/paddings")
        emit(.pad, inputs: [x, paddings], outputs: [output], options: .empty(.pad))
        return (output, .valid)
    }

    /// GlobalAveragePool / GlobalMaxPool: a reduction over the spatial axes, keeping them.
    func lowerGlobalPool(_ node: Node, _ op: TFLiteBuiltinOperator) throws {
        let rank = try self.rank(node.inputs[0])
        try emitReduce(node, op, axes: Array(2..<rank), keepDims: true)
    }
}
