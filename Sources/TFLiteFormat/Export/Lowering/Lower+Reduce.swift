import FerryIR

extension TFLiteEmitter {
    /// A reduction over source `axes`, done in the input's layout (axes remapped).
    func emitReduce(_ node: Node, _ op: TFLiteBuiltinOperator, axes: [Int], keepDims: Bool) throws {
        let input = node.inputs[0]
        let perm = try self.perm(input)
        let inverse = Permutation.inverse(perm)
        let storedAxes = axes.map { inverse[$0] }.sorted()
        let x = try tensor(input, perm: perm)
        let axesTensor = try int32Constant(storedAxes, name: "\(node.outputs[0])/axes")
        let outPerm = keepDims ? perm : Permutation.removing(Set(axes), from: perm)
        let y = try define(node.outputs[0], perm: outPerm)
        emit(op, inputs: [x, axesTensor], outputs: [y], options: .reducer(keepDims: keepDims))
    }

    func lowerReduce(_ node: Node, _ op: TFLiteBuiltinOperator) throws {
        let rank = try self.rank(node.inputs[0])
        let attributes = NodeAttributes(exporting: node)
        let axesFromInput = opset >= 18 || (node.opType == "ReduceSum" && opset >= 13)
        var axes = axesFromInput ? (try node.input(1).map { _ in try constantInput(node, 1).integers() } ?? [])
                                 : (try attributes.ints("axes") ?? [])
        if axes.isEmpty {
            if try attributes.int("noop_with_empty_axes", default: 0) == 1 { return try lowerIdentity(node) }
            axes = Array(0..<rank)
        }
        axes = try axes.map { try axis($0, rank: rank, node) }
        try emitReduce(node, op, axes: axes, keepDims: try attributes.int("keepdims", default: 1) == 1)
    }

    /// Softmax / LogSoftmax: TFLite normalizes the last stored axis, so the value is stored
    /// with the softmax axis last (a transpose only when it is not already there).
    func lowerSoftmax(_ node: Node, log: Bool) throws {
        let input = node.inputs[0], out = node.outputs[0]
        let shape = try self.shape(input)
        let rank = shape.count
        let op: TFLiteBuiltinOperator = log ? .logSoftmax : .softmax
        let options: TFLiteOptions = log ? .empty(.logSoftmax) : .softmax(beta: 1)
        let axis = try self.axis(try NodeAttributes(exporting: node).int("axis", default: opset >= 13 ? -1 : 1), rank: rank, node)
        if opset < 13 && axis != rank - 1 {
            // Old semantics: softmax over everything from `axis` on, as one flattened row.
            let rows = shape[..<axis].reduce(1, *), columns = shape[axis...].reduce(1, *)
            let flat = try addTensor(name: "\(out)/rows", shape: [rows, columns], type: try type(input),
                                     quantization: quantization(of: input, perm: [0]))
            emit(.reshape, inputs: [try tensorInSourceOrder(input), try int32Constant([rows, columns], name: "\(out)/rows_shape")],
                 outputs: [flat], options: .reshape(newShape: [Int32(rows), Int32(columns)]))
            let normalized = try addTensor(name: "\(out)/normalized", shape: [rows, columns], type: try type(out),
                                           quantization: quantization(of: out, perm: [0]))
            emit(op, inputs: [flat], outputs: [normalized], options: options)
            let y = try define(out, perm: Permutation.identity(rank))
            emit(.reshape, inputs: [normalized, try int32Constant(shape, name: "\(out)/shape")], outputs: [y],
                 options: .reshape(newShape: shape.map { Int32($0) }))
            return
        }
        var perm = try self.perm(input)
        if perm.last != axis { perm = perm.filter { $0 != axis } + [axis] }
        let x = try tensor(input, perm: perm)
        let y = try define(out, perm: perm)
        emit(op, inputs: [x], outputs: [y], options: options)
    }

    /// ArgMax/ArgMin: TFLite drops the axis; keepdims adds it back with a RESHAPE.
    func lowerArgExtreme(_ node: Node, max isMax: Bool) throws {
        let input = node.inputs[0], out = node.outputs[0]
        let rank = try self.rank(input)
        let attributes = NodeAttributes(exporting: node)
        guard try attributes.int("select_last_index", default: 0) == 0 else { throw unsupported(node, "select_last_index=1") }
        let axis = try self.axis(try attributes.int("axis", default: 0), rank: rank, node)
        let keep = try attributes.int("keepdims", default: 1) == 1
        let perm = try self.perm(input)
        let x = try tensor(input, perm: perm)
        let storedAxis = Permutation.inverse(perm)[axis]
        let axisTensor = try int32Constant([storedAxis], name: "\(out)/axis")
        let reducedPerm = Permutation.removing([axis], from: perm)
        let options: TFLiteOptions = isMax ? .argMax(outputType: .int64) : .argMin(outputType: .int64)
        let op: TFLiteBuiltinOperator = isMax ? .argMax : .argMin
        guard try type(out) == .int64 else { throw unsupported(node, "output type \(try type(out))") }
        if !keep {
            let y = try define(out, perm: reducedPerm)
            emit(op, inputs: [x, axisTensor], outputs: [y], options: options)
            return
        }
        let outShape = try shape(out)
        var reducedShape = outShape
        reducedShape.remove(at: axis)
        let reduced = try addTensor(name: "\(out)/reduced", shape: Permutation.apply(reducedPerm, to: reducedShape), type: .int64)
        emit(op, inputs: [x, axisTensor], outputs: [reduced], options: options)
        // Re-inserting a size-1 axis is a reshape in any layout: place it where `perm` had it.
        let y = try define(out, perm: perm)
        let storedShape = Permutation.apply(perm, to: outShape)
        emit(.reshape, inputs: [reduced, try int32Constant(storedShape, name: "\(out)/shape")], outputs: [y],
             options: .reshape(newShape: storedShape.map { Int32($0) }))
    }
}
