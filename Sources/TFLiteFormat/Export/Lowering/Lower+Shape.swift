import FerryIR

extension TFLiteEmitter {
    /// Reshape, Flatten and Unsqueeze: a RESHAPE to the statically known output shape.
    func lowerReshape(_ node: Node) throws {
        let out = node.outputs[0]
        let shape = try self.shape(out)
        let x = try tensorInSourceOrder(node.inputs[0])
        let y = try define(out, perm: Permutation.identity(shape.count))
        emit(.reshape, inputs: [x, try int32Constant(shape, name: "\(out)/shape")], outputs: [y],
             options: .reshape(newShape: shape.map { Int32($0) }))
    }

    /// Transpose costs nothing: the output is the same data in another layout.
    func lowerTranspose(_ node: Node) throws {
        let input = node.inputs[0]
        let rank = try self.rank(input)
        let t = try NodeAttributes(exporting: node).ints("perm") ?? Array((0..<rank).reversed())
        guard let stored = stored(input) else { throw TFLiteExportError.preparation("value '\(input)' is used before it is defined") }
        let inverse = Permutation.inverse(t)
        alias(node.outputs[0], to: StoredValue(tensor: stored.tensor, perm: stored.perm.map { inverse[$0] }))
    }

    /// Squeeze keeps the layout of the remaining axes.
    func lowerSqueeze(_ node: Node) throws {
        let input = node.inputs[0]
        let shape = try self.shape(input)
        var axes = try intsFromInputOrAttribute(node, input: 1, attribute: "axes") ?? shape.indices.filter { shape[$0] == 1 }
        axes = try axes.map { try axis($0, rank: shape.count, node) }
        let perm = try self.perm(input)
        let inverse = Permutation.inverse(perm)
        let x = try tensor(input, perm: perm)
        let outPerm = Permutation.removing(Set(axes), from: perm)
        let y = try define(node.outputs[0], perm: outPerm)
        emit(.squeeze, inputs: [x], outputs: [y], options: .squeeze(dims: axes.map { Int32(inverse[$0]) }.sorted()))
    }

    func lowerConcat(_ node: Node) throws {
        let inputs = node.inputs.filter { !$0.isEmpty }
        let out = node.outputs[0]
        let rank = try self.rank(out)
        let axis = try self.axis(try NodeAttributes(exporting: node).int("axis", default: 0), rank: rank, node)
        let perm = try broadcastLayout(inputs, rank: rank)
        let tensors = try inputs.map { try tensor($0, perm: perm) }
        let (activation, final) = try fuseActivation(after: out)
        let y = try define(final, perm: perm)
        emit(.concatenation, inputs: tensors, outputs: [y],
             options: .concatenation(axis: Int32(Permutation.inverse(perm)[axis]), activation: activation))
    }

    func lowerSplit(_ node: Node) throws {
        let input = node.inputs[0]
        let shape = try self.shape(input)
        let axis = try self.axis(try NodeAttributes(exporting: node).int("axis", default: 0), rank: shape.count, node)
        let sizes = try node.outputs.map { try self.shape($0)[axis] }
        let perm = try self.perm(input)
        let storedAxis = Permutation.inverse(perm)[axis]
        let x = try tensor(input, perm: perm)
        let outputs = try node.outputs.map { try define($0, perm: perm) }
        let axisTensor = try int32Constant([storedAxis], shape: [], name: "\(node.outputs[0])/axis")
        if Set(sizes).count == 1 && sizes[0] * sizes.count == shape[axis] {
            emit(.split, inputs: [axisTensor, x], outputs: outputs, options: .split(numSplits: Int32(sizes.count)))
        } else {
            let sizesTensor = try int32Constant(sizes, name: "\(node.outputs[0])/sizes")
            emit(.splitV, inputs: [x, sizesTensor, axisTensor], outputs: outputs, options: .splitV(numSplits: Int32(sizes.count)))
        }
    }

    /// Slice with constant bounds: SLICE for unit steps, STRIDED_SLICE otherwise.
    func lowerSlice(_ node: Node) throws {
        let input = node.inputs[0]
        let shape = try self.shape(input)
        let rank = shape.count
        let starts: [Int], ends: [Int], axesGiven: [Int]?, stepsGiven: [Int]?
        if opset >= 10 {
            starts = try constantInput(node, 1).integers()
            ends = try constantInput(node, 2).integers()
            axesGiven = try node.input(3).map { _ in try constantInput(node, 3).integers() }
            stepsGiven = try node.input(4).map { _ in try constantInput(node, 4).integers() }
        } else {
            starts = try NodeAttributes(exporting: node).ints("starts") ?? []
            ends = try NodeAttributes(exporting: node).ints("ends") ?? []
            axesGiven = try NodeAttributes(exporting: node).ints("axes")
            stepsGiven = nil
        }
        let axes = try (axesGiven ?? Array(0..<starts.count)).map { try axis($0, rank: rank, node) }
        let steps = stepsGiven ?? Array(repeating: 1, count: starts.count)
        var begin = Array(repeating: 0, count: rank), end = shape, stride = Array(repeating: 1, count: rank)
        var endMask = 0
        for (i, a) in axes.enumerated() {
            let dim = shape[a], step = steps[i]
            guard step != 0 else { throw unsupported(node, "step 0") }
            var s = starts[i] < 0 ? starts[i] + dim : starts[i]
            var e = ends[i] < 0 ? ends[i] + dim : ends[i]
            if step > 0 {
                s = min(max(s, 0), dim); e = min(max(e, 0), dim)
            } else {
                s = min(max(s, 0), dim - 1); e = min(max(e, -1), dim - 1)
            }
            begin[a] = s; end[a] = e; stride[a] = step
            if step < 0 && e == -1 { endMask |= 1 << a }
        }
        let perm = try self.perm(input)
        let x = try tensor(input, perm: perm)
        let out = node.outputs[0]
        let y = try define(out, perm: perm)
        let storedBegin = Permutation.apply(perm, to: begin), storedEnd = Permutation.apply(perm, to: end)
        if stride.allSatisfy({ $0 == 1 }) {
            let sizes = zip(storedBegin, storedEnd).map { max($1 - $0, 0) }
            emit(.slice, inputs: [x, try int32Constant(storedBegin, name: "\(out)/begin"), try int32Constant(sizes, name: "\(out)/size")],
                 outputs: [y], options: .empty(.slice))
        } else {
            var storedMask = 0
            for (i, axis) in perm.enumerated() where endMask & (1 << axis) != 0 { storedMask |= 1 << i }
            emit(.stridedSlice, inputs: [x, try int32Constant(storedBegin, name: "\(out)/begin"),
                                         try int32Constant(storedEnd.map { max($0, 0) }, name: "\(out)/end"),
                                         try int32Constant(Permutation.apply(perm, to: stride), name: "\(out)/strides")],
                 outputs: [y], options: .stridedSlice(.init(endMask: Int32(storedMask))))
        }
    }

    func lowerPad(_ node: Node) throws {
        let input = node.inputs[0]
        let rank = try self.rank(input)
        let attributes = NodeAttributes(exporting: node)
        let mode = try attributes.string("mode", default: "constant")
        guard mode == "constant" || mode == "reflect" else {
            throw unsupported(node, "mode '\(mode)' (TFLite pads with a constant or mirrors without the edge: 'constant' and 'reflect')")
        }
        guard let pads = try intsFromInputOrAttribute(node, input: 1, attribute: "pads"), pads.count == 2 * rank || node.input(3) != nil else {
            throw unsupported(node, "pads must be given for every axis")
        }
        var full = Array(repeating: 0, count: 2 * rank)
        if let axesName = node.input(3) {
            guard let axes = constants[axesName]?.integers() else { throw TFLiteExportError.notConstant(node: node.label, op: node.opType, input: axesName) }
            for (i, a) in axes.enumerated() {
                let normalized = try axis(a, rank: rank, node)
                full[normalized] = pads[i]; full[rank + normalized] = pads[axes.count + i]
            }
        } else {
            full = pads
        }
        guard full.allSatisfy({ $0 >= 0 }) else { throw unsupported(node, "negative pads") }
        var value: Float = 0
        if opset < 11 { value = try attributes.float("value", default: 0) }
        else if let valueName = node.input(2) {
            guard let constant = constants[valueName] else { throw TFLiteExportError.notConstant(node: node.label, op: node.opType, input: valueName) }
            value = Float(constant.doubles().first ?? 0)
        }
        let perm = try self.perm(input)
        let x = try tensor(input, perm: perm)
        let out = node.outputs[0]
        let paddings = try int32Constant(perm.flatMap { [full[$0], full[rank + $0]] }, shape: [rank, 2], name: "\(out)/paddings")
        let y = try define(out, perm: perm)
        if mode == "reflect" {
            // MIRROR_PAD's REFLECT leaves the edge out, as ONNX's 'reflect' does; both need pads < the axis size.
            let dims = try shape(input)
            guard (0..<rank).allSatisfy({ full[$0] < dims[$0] && full[rank + $0] < dims[$0] }) else {
                throw unsupported(node, "reflect pads \(full) not smaller than the input shape \(dims)")
            }
            let type = try self.type(input)
            emit(.mirrorPad, version: type == .int8 ? 2 : 1, inputs: [x, paddings], outputs: [y], options: .mirrorPad(symmetric: false))
        } else if value == 0 {
            emit(.pad, inputs: [x, paddings], outputs: [y], options: .empty(.pad))
        } else {
            let constant = try self.constant(Tensor(dataType: try type(input), shape: []).filled(with: Double(value)), name: "\(out)/value")
            emit(.padV2, inputs: [x, paddings, constant], outputs: [y], options: .empty(.padV2))
        }
    }

    /// Gather in source layout; constant indices are made non-negative first (TFLite rejects negatives).
    func lowerGather(_ node: Node) throws {
        let data = node.inputs[0], indices = node.inputs[1], out = node.outputs[0]
        let rank = try self.rank(data)
        let axis = try self.axis(try NodeAttributes(exporting: node).int("axis", default: 0), rank: rank, node)
        let x = try tensor(data, perm: Permutation.identity(rank))
        let index: Int32
        if let constant = constants[indices] {
            let dim = try shape(data)[axis]
            let values = constant.integers().map { $0 < 0 ? $0 + dim : $0 }
            index = try int32Constant(values, shape: constant.shape, name: "\(out)/indices")
        } else {
            index = try tensor(indices, perm: Permutation.identity(try self.rank(indices)))
        }
        let y = try define(out, perm: Permutation.identity(try self.rank(out)))
        emit(.gather, inputs: [x, index], outputs: [y], options: .gather(axis: Int32(axis), batchDims: 0))
    }

    /// DepthToSpace (DCR) and SpaceToDepth: TFLite's NHWC ops use the same channel order.
    func lowerDepthSpace(_ node: Node, toSpace: Bool) throws {
        let attributes = NodeAttributes(exporting: node)
        guard let block = try attributes.int("blocksize") else { throw unsupported(node, "blocksize") }
        let mode = try attributes.string("mode", default: "DCR")
        if toSpace && mode != "DCR" { throw unsupported(node, "mode \(mode)") }
        guard try rank(node.inputs[0]) == 4 else { throw unsupported(node, "input of rank other than 4") }
        let nhwc = Permutation.channelsLast(4)
        let x = try tensor(node.inputs[0], perm: nhwc)
        let y = try define(node.outputs[0], perm: nhwc)
        emit(toSpace ? .depthToSpace : .spaceToDepth, inputs: [x], outputs: [y],
             options: toSpace ? .depthToSpace(blockSize: Int32(block)) : .spaceToDepth(blockSize: Int32(block)))
    }
}

extension Tensor {
    /// A copy of this (scalar-shaped) tensor with every element set to `value`.
    func filled(with value: Double) -> Tensor {
        let result = Tensor(dataType: dataType, shape: shape)
        switch dataType {
        case .float32: result.withMutableElements(as: Float.self) { for i in $0.indices { $0[i] = Float(value) } }
        case .int32: result.withMutableElements(as: Int32.self) { for i in $0.indices { $0[i] = Int32(value) } }
        case .int64: result.withMutableElements(as: Int64.self) { for i in $0.indices { $0[i] = Int64(value) } }
        case .int8: result.withMutableElements(as: Int8.self) { for i in $0.indices { $0[i] = Int8(value) } }
        case .uint8: result.withMutableElements(as: UInt8.self) { for i in $0.indices { $0[i] = UInt8(value) } }
        default: break
        }
        return result
    }
}
