import FerryIR

extension NCNNEmitter {
    /// Reshape, Flatten, Squeeze, Unsqueeze, Identity, Dropout: the same elements in the same
    /// order, so no layer; the output shares the input's blobs.
    func lowerView(_ node: Node) throws {
        guard let x = node.input(0) else { throw unsupported(node, "input 0 is missing") }
        if node.opType == "Dropout", node.outputs.count > 1, !node.outputs[1].isEmpty, consumers[node.outputs[1]] != nil {
            throw unsupported(node, "the mask output")
        }
        try alias(node.outputs[0], to: x, node: node)
    }

    /// Cast between float types, or from integers to float (NCNN blobs are float; integer
    /// inputs such as token ids are fed as float32).
    func lowerCast(_ node: Node) throws {
        let to = try NodeAttributes(exporting: node).int("to", default: 0)
        guard let target = DataType(rawValue: Int32(to)), let x = node.input(0) else { throw unsupported(node, "unknown target type \(to)") }
        let source = types[x] ?? .float32
        if target.isFloatingPoint || (source.isInteger && target.isInteger) {
            return try alias(node.outputs[0], to: x, node: node)
        }
        throw unsupported(node, "a cast from \(source) to \(target); NCNN blobs are float32")
    }

    /// Transpose → Permute over the non-unit axes (a Reshape when they keep their order).
    func lowerTranspose(_ node: Node) throws {
        guard let x = node.input(0) else { throw unsupported(node, "input 0 is missing") }
        let s = try shape(x), output = node.outputs[0]
        let perm = try NodeAttributes(exporting: node).ints("perm") ?? Array((0..<s.count).reversed())
        let moving = s.indices.filter { s[$0] != 1 }
        let order = perm.filter { s[$0] != 1 }.map { moving.firstIndex(of: $0)! }
        if order == Array(order.indices) { return try alias(output, to: x, node: node) }
        guard let orderType = NCNNPermute.orderType(order) else {
            throw unsupported(node, "a permutation of \(order.count) non-unit axes; NCNN permutes up to 4")
        }
        let inShape = moving.map { s[$0] }
        let outShape = order.map { inShape[$0] }
        let blob = newBlob(output)
        try emit("Permute", name: node.name.isEmpty ? output : node.name, inputs: [try self.blob(x, shape: inShape)], outputs: [blob],
                 params: [0: .int(orderType)])
        define(output, blob: blob, shape: outShape)
    }

    /// The NCNN axis of ONNX `axis` of `value`, or an error when the batch axis was dropped there.
    func ncnnAxis(_ value: String, _ axis: Int, _ node: Node) throws -> (axis: Int, layout: NCNNLayout) {
        let layout = try layout(value)
        let normalized = try self.axis(axis, rank: layout.onnxShape.count, node)
        guard let mapped = layout.ncnnAxis(normalized) else {
            throw unsupported(node, "axis \(axis) is the batch axis NCNN drops")
        }
        return (mapped, layout)
    }

    /// Concat → Concat along the mapped axis; constant inputs become MemoryData.
    func lowerConcat(_ node: Node) throws {
        let output = node.outputs[0]
        let (axis, outLayout) = try ncnnAxis(output, try NodeAttributes(exporting: node).int("axis", default: 0), node)
        var inputs: [String] = []
        for input in node.inputs where !input.isEmpty {
            let s = try shape(input)
            inputs.append(try blob(input, shape: outLayout.kept.map { s[$0] }))
        }
        let blob = newBlob(output)
        try emit("Concat", name: node.name.isEmpty ? output : node.name, inputs: inputs, outputs: [blob], params: [0: .int(axis)])
        define(output, blob: blob, shape: outLayout.shape)
    }

    /// Split → Slice along the mapped axis.
    func lowerSplit(_ node: Node) throws {
        guard let x = node.input(0) else { throw unsupported(node, "input 0 is missing") }
        let (axis, inLayout) = try ncnnAxis(x, try NodeAttributes(exporting: node).int("axis", default: 0), node)
        let onnxAxis = inLayout.kept[axis]
        var sizes: [Int] = []
        for output in node.outputs { sizes.append(try shape(output)[onnxAxis]) }
        var blobs: [String] = []
        for output in node.outputs { blobs.append(newBlob(output)) }
        try emit("Slice", name: node.name.isEmpty ? node.outputs[0] : node.name, inputs: [try blob(x)], outputs: blobs,
                 params: [0: .ints(sizes), 1: .int(axis)])
        for (output, blob) in zip(node.outputs, blobs) {
            let s = try shape(output)
            define(output, blob: blob, shape: inLayout.kept.map { s[$0] })
        }
    }

    /// Slice (constant starts/ends/axes, step 1) → Crop with NCNN's numpy-style arrays.
    func lowerSlice(_ node: Node) throws {
        guard let x = node.input(0) else { throw unsupported(node, "input 0 is missing") }
        let s = try shape(x), output = node.outputs[0]
        guard let starts = try intsFromInputOrAttribute(node, input: 1, attribute: "starts"),
              let ends = try intsFromInputOrAttribute(node, input: 2, attribute: "ends") else { throw unsupported(node, "starts and ends are needed") }
        let axes = try intsFromInputOrAttribute(node, input: 3, attribute: "axes") ?? Array(0..<starts.count)
        let steps = try intsFromInputOrAttribute(node, input: 4, attribute: "steps") ?? starts.map { _ in 1 }
        guard steps.allSatisfy({ $0 == 1 }) else { throw unsupported(node, "steps other than 1") }
        var ranges: [(Int, Int, Int)] = []
        for (i, rawAxis) in axes.enumerated() {
            let axis = try self.axis(rawAxis, rank: s.count, node)
            func clamp(_ v: Int) -> Int { min(max(v < 0 ? v + s[axis] : v, 0), s[axis]) }
            ranges.append((axis, clamp(starts[i]), clamp(ends[i])))
        }
        try crop(node, x, ranges: ranges, output: output)
    }

    /// Gather with constant indices: a contiguous run of indices on any axis → Crop; constant
    /// data (an embedding table) with computed indices → Embed.
    func lowerGather(_ node: Node) throws {
        guard let data = node.input(0), let indicesName = node.input(1) else { throw unsupported(node, "data or indices is missing") }
        let axisAttribute = try NodeAttributes(exporting: node).int("axis", default: 0)
        if let table = constants[data] {
            guard constants[indicesName] == nil, table.rank == 2, axisAttribute == 0 else {
                throw unsupported(node, "constant data is mapped only as a 2-D embedding table gathered on axis 0")
            }
            // NCNN's Embed reads each id as the int32 bit pattern of its float blob element, so the
            // ids must be what the app feeds: a graph input of one row.
            guard graph.runtimeInputs.contains(where: { $0.name == indicesName }), types[indicesName]?.isInteger == true else {
                throw unsupported(node, "ids computed inside the graph; NCNN's Embed reads int32 ids fed straight into an Input blob")
            }
            let (vocabulary, width) = (table.shape[0], table.shape[1])
            let ids = try shape(indicesName).reduce(1, *)
            let output = node.outputs[0]
            let blob = newBlob(output)
            let values = try floats(table, data)
            try emit("Embed", name: node.name.isEmpty ? output : node.name, inputs: [try self.blob(indicesName, shape: [ids])], outputs: [blob],
                     params: [0: .int(width), 1: .int(vocabulary), 2: .int(0), 3: .int(table.count)]) { w in
                self.appendWeight(values, into: &w)
            }
            define(output, blob: blob, shape: ids == 1 ? [width] : [ids, width])
            return
        }
        let indices = try constantInput(node, 1).integers()
        let s = try shape(data)
        let axis = try self.axis(axisAttribute, rank: s.count, node)
        let normalized = indices.map { $0 < 0 ? $0 + s[axis] : $0 }
        guard let first = normalized.first, normalized == Array(first..<(first + normalized.count)) else {
            throw unsupported(node, "indices \(indices) are not a contiguous run; only those map to Crop")
        }
        try crop(node, data, ranges: [(axis, first, first + normalized.count)], output: node.outputs[0])
    }

    /// Crop `x` to `[start, end)` on each ONNX axis; the output (of the same elements in
    /// order, possibly with an axis removed) views the cropped blob.
    func crop(_ node: Node, _ x: String, ranges: [(axis: Int, start: Int, end: Int)], output: String) throws {
        let inLayout = try layout(x)
        var starts: [Int] = [], ends: [Int] = [], axes: [Int] = []
        var cropped = inLayout.onnxShape
        for (axis, start, end) in ranges {
            cropped[axis] = max(end - start, 0)
            if start == 0 && end == inLayout.onnxShape[axis] { continue }
            guard let mapped = inLayout.ncnnAxis(axis) else { throw unsupported(node, "slicing the batch axis NCNN drops") }
            starts.append(start)
            ends.append(end)
            axes.append(mapped)
        }
        guard cropped.allSatisfy({ $0 > 0 }) else { throw unsupported(node, "an empty slice") }
        if axes.isEmpty { return try alias(output, to: x, node: node) }
        let blob = newBlob(output)
        try emit("Crop", name: node.name.isEmpty ? output : node.name, inputs: [try self.blob(x)], outputs: [blob],
                 params: [9: .ints(starts), 10: .ints(ends), 11: .ints(axes)])
        define(output, blob: blob, shape: inLayout.kept.isEmpty ? [1] : inLayout.kept.map { cropped[$0] })
    }

    /// Pad (constant, edge or reflect; on the channel, height and width axes) → Padding.
    func lowerPad(_ node: Node) throws {
        guard let x = node.input(0) else { throw unsupported(node, "input 0 is missing") }
        let s = try shape(x), output = node.outputs[0]
        let mode = try NodeAttributes(exporting: node).string("mode", default: "constant")
        let type: Int
        switch mode {
        case "constant": type = 0
        case "edge": type = 1
        case "reflect": type = 2
        default: throw unsupported(node, "mode \(mode)")
        }
        guard let pads = try intsFromInputOrAttribute(node, input: 1, attribute: "pads"), pads.count == 2 * s.count else {
            throw unsupported(node, "pads must be constant, two per axis")
        }
        guard node.input(3) == nil else { throw unsupported(node, "the axes input") }
        var value: Float = 0
        if node.input(2) != nil { value = try floats(try constantInput(node, 2), node.inputs[2]).first ?? 0 }
        else { value = try NodeAttributes(exporting: node).float("value", default: 0) }
        let r = s.count
        guard r >= 2, r <= 4, pads[0] == 0, pads[r] == 0 else {
            throw unsupported(node, "padding of the batch axis or of more than 3 axes")
        }
        func pad(_ axis: Int) -> (Int, Int) { axis >= 0 && axis < r ? (pads[axis], pads[r + axis]) : (0, 0) }
        let (top, bottom) = pad(r - 2), (left, right) = pad(r - 1), (front, behind) = r == 4 ? pad(1) : (0, 0)
        let blob = newBlob(output)
        try emit("Padding", name: node.name.isEmpty ? output : node.name, inputs: [try self.blob(x)], outputs: [blob],
                 params: [0: .int(top), 1: .int(bottom), 2: .int(left), 3: .int(right), 4: .int(type), 5: .float(value),
                          7: .int(front), 8: .int(behind)])
        define(output, blob: blob, shape: try layout(output).shape)
    }
}
