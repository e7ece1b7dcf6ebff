import FerryIR

extension NNEmitter {
    /// Reshape, Flatten, Squeeze and Unsqueeze: one `reshapeStatic` to the inferred output shape.
    func lowerReshape(_ node: Node) throws {
        let shape = try staticShape(node.outputs[0], node)
        emit(node, .reshape(shape: shape.isEmpty ? [1] : shape), [try input(node, 0)])
    }

    func lowerTranspose(_ node: Node) throws {
        let rank = try self.rank(node.inputs[0], node)
        let perm = try NodeAttributes(exporting: node).ints("perm") ?? Array((0..<rank).reversed())
        emit(node, .transpose(axes: perm), [try input(node, 0)])
    }

    func lowerConcat(_ node: Node) throws {
        guard let axis = try NodeAttributes(exporting: node).int("axis") else { throw unsupported(node, "axis is missing") }
        let rank = try self.rank(node.outputs[0], node)
        let inputs = try node.inputs.filter { !$0.isEmpty }.map { try blob($0, node) }
        emit(node, .concat(axis: try self.axis(axis, rank: rank, node)), inputs)
    }

    /// `gather` with float indices (NeuralNetwork blobs are float); constant negative indices
    /// are normalized.
    func lowerGather(_ node: Node) throws {
        let rank = try self.rank(node.inputs[0], node)
        let axis = try self.axis(try NodeAttributes(exporting: node).int("axis", default: 0), rank: rank, node)
        let indices: String
        if let constant = graph.initializers[node.inputs[1]] {
            let size = try staticShape(node.inputs[0], node)[axis]
            let normalized = constant.integers().map { Float($0 < 0 ? $0 + size : $0) }
            indices = layer(.loadConstant(shape: constant.shape.isEmpty ? [1] : constant.shape, data: .float32(normalized)), [],
                            output: node.inputs[1], intermediate: true)
            if constant.shape.isEmpty {
                // A scalar index removes the axis; the loaded constant has rank 1, so reshape after.
                let gathered = layer(.gather(axis: axis), [try input(node, 0), indices], output: node.outputs[0] + "_gathered", intermediate: true)
                emit(node, .reshape(shape: try staticShape(node.outputs[0], node)), [gathered])
                return
            }
        } else {
            indices = try input(node, 1)
        }
        emit(node, .gather(axis: axis), [try input(node, 0), indices])
    }

    /// `sliceStatic` with every axis spelled out from the static input shape.
    func lowerSlice(_ node: Node) throws {
        let shape = try staticShape(node.inputs[0], node)
        func ints(_ index: Int, _ name: String) throws -> [Int]? {
            if node.input(index) != nil { return try constantInput(node, index).integers() }
            return try NodeAttributes(exporting: node).ints(name)
        }
        guard let starts = try ints(1, "starts"), let ends = try ints(2, "ends") else { throw unsupported(node, "starts/ends are missing") }
        let axes = try ints(3, "axes") ?? Array(0..<starts.count)
        let steps = node.input(4) != nil ? try constantInput(node, 4).integers() : Array(repeating: 1, count: starts.count)
        var begin = shape.map { _ in 0 }, end = shape, stride = shape.map { _ in 1 }
        var beginMask = shape.map { _ in true }, endMask = shape.map { _ in true }
        for (i, rawAxis) in axes.enumerated() {
            let axis = try self.axis(rawAxis, rank: shape.count, node), size = shape[axis], step = steps[i]
            guard step > 0 else { throw unsupported(node, "step \(step) (sliceStatic is written for positive steps)") }
            func clamp(_ v: Int) -> Int { min(max(v < 0 ? v + size : v, 0), size) }
            begin[axis] = clamp(starts[i])
            end[axis] = clamp(ends[i])
            stride[axis] = step
            beginMask[axis] = false
            endMask[axis] = false
        }
        emit(node, .slice(begin: begin, end: end, strides: stride, beginMask: beginMask, endMask: endMask), [try input(node, 0)])
    }

    /// `softmaxND` on one axis (opset 13+, or the last axis before, where ONNX flattens).
    func lowerSoftmax(_ node: Node) throws {
        let rank = try self.rank(node.inputs[0], node)
        let axis = try self.axis(try NodeAttributes(exporting: node).int("axis", default: opset >= 13 ? -1 : 1), rank: rank, node)
        guard opset >= 13 || axis == rank - 1 else { throw unsupported(node, "opset \(opset) softmax over the flattened dims from axis \(axis)") }
        emit(node, .softmax(axis: axis), [try input(node, 0)])
    }

    func lowerReduce(_ node: Node, _ op: NNReduction) throws {
        let attributes = NodeAttributes(exporting: node)
        let rank = try self.rank(node.inputs[0], node)
        var axes: [Int]
        if node.input(1) != nil {
            axes = try constantInput(node, 1).integers()
        } else {
            axes = try attributes.ints("axes") ?? []
        }
        if axes.isEmpty {
            guard try attributes.int("noop_with_empty_axes", default: 0) == 0 else {
                blobs[node.outputs[0]] = try input(node, 0)
                return
            }
            axes = Array(0..<rank)
        }
        let normalized = try axes.map { try self.axis($0, rank: rank, node) }.sorted()
        let keep = try attributes.int("keepdims", default: 1) != 0
        guard keep || normalized.count < rank else {
            // Reducing every axis away leaves a scalar, which NeuralNetwork blobs cannot be.
            let reduced = layer(.reduce(op, axes: normalized, keepDims: true), [try input(node, 0)], output: node.outputs[0] + "_all", intermediate: true)
            emit(node, .reshape(shape: [1]), [reduced])
            return
        }
        emit(node, .reduce(op, axes: normalized, keepDims: keep), [try input(node, 0)])
    }

    func lowerArgExtreme(_ node: Node, max: Bool) throws {
        let attributes = NodeAttributes(exporting: node)
        guard try attributes.int("select_last_index", default: 0) == 0 else { throw unsupported(node, "select_last_index 1") }
        let rank = try self.rank(node.inputs[0], node)
        let axis = try self.axis(try attributes.int("axis", default: 0), rank: rank, node)
        let remove = try attributes.int("keepdims", default: 1) == 0
        guard !(remove && rank == 1) else { throw unsupported(node, "a scalar result (rank-1 input without keepdims)") }
        emit(node, max ? .argMax(axis: axis, removeDim: remove) : .argMin(axis: axis, removeDim: remove), [try input(node, 0)])
    }
}

extension NNEmitter {
    /// Pad as coremltools' NeuralNetwork backend writes MIL's pad: `padding` when only the last
    /// two axes are padded (a rank-1 input as a [1, W] row between reshapes), `constantPad` for
    /// constant pads of other axes; reflecting or replicating other axes has no layer.
    func lowerPad(_ node: Node) throws {
        let shape = try staticShape(node.inputs[0], node)
        let plan = try PadPlan(node, shape: shape) { index in
            guard node.input(index) != nil else { return nil }
            return try constantInput(node, index)
        }
        let x = try input(node, 0)
        if plan.isEmpty {
            blobs[node.outputs[0]] = x
            return
        }
        let mode: NNPadding.Mode = switch plan.mode {
        case .constant: .constant(plan.value)
        case .reflect: .reflection
        case .replicate: .replication
        }
        let rank = shape.count, out = node.outputs[0]
        if rank == 1 {
            let row = layer(.reshape(shape: [1, shape[0]]), [x], output: out + "_row", intermediate: true)
            let padded = layer(.padding(NNPadding(mode: mode, pads: [0, plan.before[0], 0, plan.after[0]])), [row], output: out + "_padded", intermediate: true)
            emit(node, .reshape(shape: [shape[0] + plan.before[0] + plan.after[0]]), [padded])
        } else if plan.firstPaddedAxis >= rank - 2 {
            emit(node, .padding(NNPadding(mode: mode, pads: [plan.before[rank - 2], plan.before[rank - 1], plan.after[rank - 2], plan.after[rank - 1]])), [x])
        } else if plan.mode == .constant {
            emit(node, .constantPad(amounts: plan.interleaved, value: plan.value), [x])
        } else {
            throw unsupported(node, "\(plan.mode.rawValue) pads on axis \(plan.firstPaddedAxis) of a rank-\(rank) input (the padding layer pads the last two axes)")
        }
    }
}
