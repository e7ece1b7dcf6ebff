import FerryIR

extension ImportBuilder {
    /// Lowers TFLite operator `index` into IR nodes.
    func lower(index: Int, _ op: TFLiteOperator) throws {
        let code = model.operatorCodes[Int(op.opcodeIndex)].builtin
        if code == .quantize || code == .dequantize || op.inputs.contains(where: isQuantized) || op.outputs.contains(where: isQuantized) {
            return try lowerQuantized(index: index, op, code: code)
        }
        try lowerFloat(index: index, op)
    }

    /// Lowers a float TFLite operator (or the float form of a quantized one) into IR nodes.
    func lowerFloat(index: Int, _ op: TFLiteOperator) throws {
        let code = model.operatorCodes[Int(op.opcodeIndex)].builtin
        let opName = code.description
        func fail(_ reason: String) -> TFLiteImportError { .unsupportedOp(index: index, op: opName, reason: reason) }
        guard let firstOutput = op.outputs.first else { throw fail("no outputs") }
        let out = name(firstOutput)
        func input(_ i: Int) throws -> String {
            guard i < op.inputs.count, op.inputs[i] >= 0 else { throw fail("input \(i) is missing") }
            return name(op.inputs[i])
        }
        func constantInput(_ i: Int) throws -> Tensor {
            guard i < op.inputs.count, let tensor = constant(op.inputs[i]) else { throw fail("input \(i) must be a constant") }
            return tensor
        }
        /// Runs `body` into a fresh value when an activation follows, straight into `out` otherwise.
        func fused(_ activation: TFLiteActivation, _ body: (String) throws -> Void) throws {
            guard activation != .none else { return try body(out) }
            let raw = fresh("\(out)/linear")
            try body(raw)
            try self.activation(activation, raw, into: out, index: index, op: opName)
        }
        /// An NHWC op done in NCHW between two transposes.
        func nchw(_ activation: TFLiteActivation, _ body: (String, String) throws -> Void) throws {
            let x = transpose(try input(code == .transposeConv ? 2 : 0), [0, 3, 1, 2])
            let y = fresh("\(out)/nchw")
            try body(x, y)
            try fused(activation) { node("Transpose", [y], [$0], ["perm": .ints([0, 2, 3, 1])]) }
        }
        let unary: [TFLiteBuiltinOperator: String] = [
            .relu: "Relu", .logistic: "Sigmoid", .tanh: "Tanh", .exp: "Exp", .log: "Log", .sqrt: "Sqrt", .abs: "Abs",
            .neg: "Neg", .floor: "Floor", .ceil: "Ceil", .sin: "Sin", .cos: "Cos", .hardSwish: "HardSwish",
        ]
        let binary: [TFLiteBuiltinOperator: String] = [
            .add: "Add", .sub: "Sub", .mul: "Mul", .div: "Div", .pow: "Pow", .maximum: "Max", .minimum: "Min", .prelu: "PRelu",
        ]
        if let onnx = unary[code] { node(onnx, [try input(0)], [out]); return }
        if let onnx = binary[code] {
            try fused(op.options.fusedActivation) { node(onnx, [try input(0), try input(1)], [$0]) }
            return
        }
        switch (code, op.options) {
        case (.relu6, _): clip(try input(0), 0, 6, out)
        case (.reluN1To1, _): clip(try input(0), -1, 1, out)
        case (.rsqrt, _): node("Reciprocal", [node("Sqrt", [try input(0)], [fresh("\(out)/sqrt")])[0]], [out])
        case (.leakyRelu, .leakyRelu(let alpha)): node("LeakyRelu", [try input(0)], [out], ["alpha": .float(alpha)])
        case (.elu, _): node("Elu", [try input(0)], [out])
        case (.gelu, .gelu(let approximate)): try gelu(try input(0), out, approximate: approximate)
        case (.cast, _):
            guard let type = subgraph.tensors[Int(firstOutput)].type.dataType else { throw fail("output type") }
            node("Cast", [try input(0)], [out], ["to": .int(Int(type.rawValue))])
        case (.softmax, .softmax(let beta)), (.logSoftmax, .softmax(let beta)):
            var x = try input(0)
            if beta != 1 { x = node("Mul", [x, addConstant(Tensor(scalar: beta), hint: "beta")], [fresh("\(out)/scaled")])[0] }
            node(code == .softmax ? "Softmax" : "LogSoftmax", [x], [out], ["axis": .int(-1)])
        case (.logSoftmax, _), (.softmax, _):
            node(code == .softmax ? "Softmax" : "LogSoftmax", [try input(0)], [out], ["axis": .int(-1)])
        case (.concatenation, .concatenation(let axis, let activation)):
            let inputs = try (0..<op.inputs.count).map { try input($0) }
            let rank = try shape(try tensorIndex(op, 0)).count
            try fused(activation) { node("Concat", inputs, [$0], ["axis": .int(Int(axis) < 0 ? Int(axis) + rank : Int(axis))]) }
        case (.reshape, _), (.squeeze, _), (.expandDims, _):
            node("Reshape", [try input(0), int64s(try shape(firstOutput), hint: "shape")], [out])
        case (.transpose, _):
            node("Transpose", [try input(0)], [out], ["perm": .ints(try constantInput(1).integers())])
        case (.mean, .reducer(let keep)), (.sum, .reducer(let keep)), (.reduceMax, .reducer(let keep)),
             (.reduceMin, .reducer(let keep)), (.reduceProd, .reducer(let keep)):
            let onnx = [TFLiteBuiltinOperator.mean: "ReduceMean", .sum: "ReduceSum", .reduceMax: "ReduceMax",
                        .reduceMin: "ReduceMin", .reduceProd: "ReduceProd"][code]!
            let axes = try constantInput(1).integers()
            if onnx == "ReduceSum" {
                node(onnx, [try input(0), int64s(axes, hint: "axes")], [out], ["keepdims": .int(keep ? 1 : 0)])
            } else {
                node(onnx, [try input(0)], [out], ["axes": .ints(axes), "keepdims": .int(keep ? 1 : 0)])
            }
        case (.gather, .gather(let axis, let batchDims)):
            guard batchDims == 0 else { throw fail("batch_dims \(batchDims)") }
            node("Gather", [try input(0), try input(1)], [out], ["axis": .int(Int(axis))])
        case (.pad, _), (.padV2, _):
            let paddings = try constantInput(1).integers()
            let rank = paddings.count / 2
            guard paddings.count % 2 == 0, rank == (try shape(try tensorIndex(op, 0)).count) else { throw fail("paddings do not match the input rank") }
            let pads = (0..<rank).map { paddings[2 * $0] } + (0..<rank).map { paddings[2 * $0 + 1] }
            var inputs = [try input(0), int64s(pads, hint: "pads")]
            if code == .padV2 { inputs.append(try input(2)) }
            node("Pad", inputs, [out])
        case (.mirrorPad, .mirrorPad(let symmetric)):
            // ONNX Pad has no symmetric mode (the edge repeated); REFLECT is its 'reflect'.
            guard !symmetric else { throw fail("MIRROR_PAD in SYMMETRIC mode has no ONNX form") }
            let paddings = try constantInput(1).integers()
            let rank = paddings.count / 2
            guard paddings.count % 2 == 0, rank == (try shape(try tensorIndex(op, 0)).count) else { throw fail("paddings do not match the input rank") }
            let pads = (0..<rank).map { paddings[2 * $0] } + (0..<rank).map { paddings[2 * $0 + 1] }
            node("Pad", [try input(0), int64s(pads, hint: "pads")], [out], ["mode": .string("reflect")])
        case (.slice, _):
            let begin = try constantInput(1).integers(), size = try constantInput(2).integers()
            let dims = try shape(try tensorIndex(op, 0))
            let end = zip(zip(begin, size), dims).map { pair, dim in pair.1 < 0 ? dim : pair.0 + pair.1 }
            node("Slice", [try input(0), int64s(begin, hint: "starts"), int64s(end, hint: "ends")], [out])
        case (.stridedSlice, .stridedSlice(let o)):
            guard o.ellipsisMask == 0, o.newAxisMask == 0, !o.offset else { throw fail("ellipsis, new-axis masks or offset") }
            let begin = try constantInput(1).integers(), end = try constantInput(2).integers(), strides = try constantInput(3).integers()
            guard begin.count == end.count, begin.count == strides.count, !strides.contains(0) else { throw fail("begin, end and strides disagree") }
            var starts = begin, ends = end
            for axis in 0..<begin.count {
                if o.beginMask & (1 << axis) != 0 { starts[axis] = strides[axis] > 0 ? 0 : Int(Int32.max) }
                if o.endMask & (1 << axis) != 0 { ends[axis] = strides[axis] > 0 ? Int(Int32.max) : Int(Int32.min) }
                if o.shrinkAxisMask & (1 << axis) != 0 { ends[axis] = starts[axis] + 1 }
            }
            let sliced = o.shrinkAxisMask == 0 ? out : fresh("\(out)/sliced")
            node("Slice", [try input(0), int64s(starts, hint: "starts"), int64s(ends, hint: "ends"),
                           int64s(Array(0..<begin.count), hint: "axes"), int64s(strides, hint: "steps")], [sliced])
            if o.shrinkAxisMask != 0 { node("Reshape", [sliced, int64s(try shape(firstOutput), hint: "shape")], [out]) }
        case (.split, _), (.splitV, _):
            let x = code == .split ? try input(1) : try input(0)
            guard let axisValue = try constantInput(code == .split ? 0 : 2).integers().first, op.inputs.count >= 2 else { throw fail("axis") }
            let rank = try shape(code == .split ? op.inputs[1] : op.inputs[0]).count
            let axis = axisValue < 0 ? axisValue + rank : axisValue
            guard (0..<rank).contains(axis) else { throw fail("axis \(axisValue) of rank \(rank)") }
            let sizes = try op.outputs.map { try shape($0, rank: rank)[axis] }
            node("Split", [x, int64s(sizes, hint: "split")], op.outputs.map { name($0) }, ["axis": .int(axis)])
        case (.argMax, _), (.argMin, _):
            let rank = try shape(try tensorIndex(op, 0)).count
            guard var axis = try constantInput(1).integers().first else { throw fail("axis") }
            if axis < 0 { axis += rank }
            let type = subgraph.tensors[Int(firstOutput)].type
            let result = type == .int64 ? out : fresh("\(out)/int64")
            node(code == .argMax ? "ArgMax" : "ArgMin", [try input(0)], [result], ["axis": .int(axis), "keepdims": .int(0)])
            if type != .int64 { node("Cast", [result], [out], ["to": .int(Int(DataType.int32.rawValue))]) }
        case (.fullyConnected, .fullyConnected(let o)):
            try fullyConnected(op, o, out: out, fail: fail, fused: fused)
        case (.batchMatMul, .batchMatMul(let adjointX, let adjointY)):
            func operand(_ i: Int, _ adjoint: Bool) throws -> String {
                let x = try input(i)
                guard adjoint else { return x }
                let rank = try shape(try tensorIndex(op, i)).count
                guard rank >= 2 else { throw fail("adjoint of a rank-\(rank) operand") }
                var perm = Array(0..<rank)
                perm.swapAt(rank - 1, rank - 2)
                return transpose(x, perm)
            }
            node("MatMul", [try operand(0, adjointX), try operand(1, adjointY)], [out])
        case (.conv2D, .conv2D(let o)):
            try conv(op, padding: o.padding, strides: [o.strideH, o.strideW], dilations: [o.dilationH, o.dilationW],
                     filterPerm: [0, 3, 1, 2], group: 1, activation: o.activation, nchw: nchw, input: input)
        case (.depthwiseConv2D, .depthwiseConv2D(let o)):
            try conv(op, padding: o.padding, strides: [o.strideH, o.strideW], dilations: [o.dilationH, o.dilationW],
                     filterPerm: [3, 0, 1, 2], group: try shape(try tensorIndex(op, 0), rank: 4)[3], activation: o.activation, nchw: nchw, input: input)
        case (.unidirectionalSequenceLSTM, .unidirectionalSequenceLSTM(let o)):
            try sequenceLSTM(op, o, out: out, fail: fail)
        case (.transposeConv, .transposeConv(let o)):
            try transposeConv(op, o, nchw: nchw, input: input, fail: fail)
        case (.maxPool2D, .pool2D(let o)), (.averagePool2D, .pool2D(let o)):
            let dims = try shape(try tensorIndex(op, 0), rank: 4)
            guard o.filterH > 0, o.filterW > 0, o.strideH > 0, o.strideW > 0 else { throw fail("filter and stride sizes must be positive") }
            let kernel = [Int(o.filterH), Int(o.filterW)], strides = [Int(o.strideH), Int(o.strideW)]
            let pads = o.padding == .same ? Window2D.samePads(input: [dims[1], dims[2]], kernel: kernel, strides: strides, dilations: [1, 1])
                : [0, 0, 0, 0]
            try nchw(o.activation) { x, y in
                node(code == .maxPool2D ? "MaxPool" : "AveragePool", [x], [y],
                     ["kernel_shape": .ints(kernel), "strides": .ints(strides), "pads": .ints(pads)])
            }
        case (.resizeBilinear, .resizeBilinear(let align, let half)), (.resizeNearestNeighbor, .resizeNearestNeighbor(let align, let half)):
            let dims = try shape(firstOutput, rank: 4)
            let transform = align ? "align_corners" : half ? "half_pixel" : "asymmetric"
            var attributes: [String: Attribute] = ["coordinate_transformation_mode": .string(transform),
                                                   "mode": .string(code == .resizeBilinear ? "linear" : "nearest")]
            if code == .resizeNearestNeighbor { attributes["nearest_mode"] = .string(align || half ? "round_prefer_ceil" : "floor") }
            try nchw(.none) { x, y in
                node("Resize", [x, "", "", int64s([dims[0], dims[3], dims[1], dims[2]], hint: "sizes")], [y], attributes)
            }
        case (.depthToSpace, .depthToSpace(let size)), (.spaceToDepth, .spaceToDepth(let size)):
            try nchw(.none) { x, y in
                var attributes: [String: Attribute] = ["blocksize": .int(Int(size))]
                if code == .depthToSpace { attributes["mode"] = .string("DCR") }
                node(code == .depthToSpace ? "DepthToSpace" : "SpaceToDepth", [x], [y], attributes)
            }
        default:
            throw fail("no IR form for this builtin (or its options)")
        }
    }

    /// The tensor index of input `position`, or an error when the operator has fewer inputs.
    func tensorIndex(_ op: TFLiteOperator, _ position: Int) throws -> Int32 {
        guard position < op.inputs.count else {
            throw TFLiteImportError.invalidTensor(name: "", reason: "operator has \(op.inputs.count) inputs, input \(position) is needed")
        }
        return op.inputs[position]
    }

    private func gelu(_ x: String, _ out: String, approximate: Bool) throws {
        func c(_ value: Float) -> String { addConstant(Tensor(scalar: value), hint: "gelu_c") }
        func op(_ type: String, _ a: String, _ b: String) -> String { node(type, [a, b], [fresh("\(out)/gelu")])[0] }
        let inner: String
        if approximate {
            let cube = op("Mul", op("Mul", x, x), x)
            let poly = op("Add", x, op("Mul", cube, c(0.044715)))
            inner = node("Tanh", [op("Mul", poly, c((2 / Float.pi).squareRoot()))], [fresh("\(out)/gelu")])[0]
        } else {
            inner = node("Erf", [op("Div", x, c(Float(2).squareRoot()))], [fresh("\(out)/gelu")])[0]
        }
        node("Mul", [op("Mul", x, c(0.5)), op("Add", inner, c(1))], [out])
    }

    private func fullyConnected(_ op: TFLiteOperator, _ o: TFLiteOptions.FullyConnected, out: String,
                                fail: (String) -> TFLiteImportError, fused: (TFLiteActivation, (String) throws -> Void) throws -> Void) throws {
        guard op.inputs.count >= 2, op.inputs[0] >= 0, op.inputs[1] >= 0 else { throw fail("missing input or weights") }
        let x = name(op.inputs[0]), w = name(op.inputs[1])
        let bias = op.inputs.count > 2 && op.inputs[2] >= 0 ? name(op.inputs[2]) : nil
        let k = try shape(try tensorIndex(op, 1), rank: 2)[1]
        try fused(o.activation) { target in
            if o.keepNumDims {
                let product = node("MatMul", [x, transpose(w, [1, 0])], [bias == nil ? target : fresh("\(out)/product")])[0]
                if let bias { node("Add", [product, bias], [target]) }
            } else {
                let rows = node("Reshape", [x, int64s([-1, k], hint: "rows")], [fresh("\(out)/rows")])[0]
                node("Gemm", [rows, w] + (bias.map { [$0] } ?? []), [target], ["transB": .int(1)])
            }
        }
    }

    private func conv(_ op: TFLiteOperator, padding: TFLitePadding, strides: [Int32], dilations: [Int32], filterPerm: [Int], group: Int,
                      activation: TFLiteActivation, nchw: (TFLiteActivation, (String, String) throws -> Void) throws -> Void,
                      input: (Int) throws -> String) throws {
        let dims = try shape(try tensorIndex(op, 0), rank: 4), filterShape = try shape(try tensorIndex(op, 1), rank: 4)
        guard strides.count == 2, dilations.count == 2, (strides + dilations).allSatisfy({ $0 > 0 }) else {
            throw TFLiteImportError.invalidTensor(name: name(try tensorIndex(op, 0)), reason: "strides and dilations must be positive")
        }
        let kernel = [filterShape[1], filterShape[2]]
        let s = strides.map { Int($0) }, d = dilations.map { Int($0) }
        let pads = padding == .same ? Window2D.samePads(input: [dims[1], dims[2]], kernel: kernel, strides: s, dilations: d) : [0, 0, 0, 0]
        let filter = transpose(try input(1), filterPerm)
        let bias = op.inputs.count > 2 && op.inputs[2] >= 0 ? [name(op.inputs[2])] : []
        try nchw(activation) { x, y in
            node("Conv", [x, filter] + bias, [y], ["strides": .ints(s), "dilations": .ints(d), "pads": .ints(pads),
                                                  "group": .int(group), "kernel_shape": .ints(kernel)])
        }
    }

    /// UNIDIRECTIONAL_SEQUENCE_LSTM as an ONNX LSTM: per-gate weights (TFLite order input,
    /// forget, cell, output) concatenated in ONNX's i, o, f, c order; the states start at zero.
    private func sequenceLSTM(_ op: TFLiteOperator, _ o: TFLiteOptions.SequenceLSTM, out: String, fail: (String) -> TFLiteImportError) throws {
        guard op.inputs.count >= 20 else { throw fail("\(op.inputs.count) inputs, expected 20 or 24") }
        guard o.activation == .tanh, o.cellClip == 0, o.projectionClip == 0 else { throw fail("activation other than tanh, or clipping") }
        guard op.inputs[1] >= 0 else { throw fail("coupled input and forget gates (CIFG)") }
        guard op.inputs[16] < 0, op.inputs[17] < 0 else { throw fail("a projection layer") }
        guard op.inputs.count < 21 || op.inputs[20...].allSatisfy({ $0 < 0 }) else { throw fail("layer normalization") }
        let x = name(op.inputs[0])
        let hidden = try shape(op.inputs[2], rank: 2)[0]
        // ONNX gate order i, o, f, c from TFLite's input, forget, cell, output positions.
        let order = [0, 3, 1, 2]
        func stacked(_ first: Int, hint: String) -> String {
            let parts = order.map { name(op.inputs[first + $0]) }
            let joined = node("Concat", parts, [fresh("\(out)/\(hint)_rows")], ["axis": .int(0)])[0]
            return node("Unsqueeze", [joined, int64s([0], hint: "axes")], [fresh("\(out)/\(hint)")])[0]
        }
        let w = stacked(1, hint: "W"), r = stacked(5, hint: "R")
        let biases = order.map { name(op.inputs[12 + $0]) }
        let zeros = addConstant(Tensor(shape: [4 * hidden], values: [Float](repeating: 0, count: 4 * hidden)), hint: "recurrent_bias")
        let b = node("Unsqueeze", [node("Concat", biases + [zeros], [fresh("\(out)/B_flat")], ["axis": .int(0)])[0], int64s([0], hint: "axes")],
                     [fresh("\(out)/B")])[0]
        var inputs = [x, w, r, b, "", "", ""]
        if op.inputs[9] >= 0 || op.inputs[10] >= 0 || op.inputs[11] >= 0 {
            guard op.inputs[9] >= 0, op.inputs[10] >= 0, op.inputs[11] >= 0 else { throw fail("some but not all peephole weights") }
            // ONNX P is i, o, f; TFLite gives cell_to_input, cell_to_forget, cell_to_output.
            let p = node("Concat", [name(op.inputs[9]), name(op.inputs[11]), name(op.inputs[10])], [fresh("\(out)/P_flat")], ["axis": .int(0)])[0]
            inputs.append(node("Unsqueeze", [p, int64s([0], hint: "axes")], [fresh("\(out)/P")])[0])
        }
        let y = fresh("\(out)/Y")
        node("LSTM", inputs, [y], ["hidden_size": .int(hidden), "layout": .int(o.timeMajor ? 0 : 1)])
        node("Reshape", [y, int64s(try shape(op.outputs[0]), hint: "shape")], [out])
    }

    private func transposeConv(_ op: TFLiteOperator, _ o: TFLiteOptions.TransposeConv,
                               nchw: (TFLiteActivation, (String, String) throws -> Void) throws -> Void,
                               input: (Int) throws -> String, fail: (String) -> TFLiteImportError) throws {
        guard let outputShape = constant(try tensorIndex(op, 0))?.integers(), outputShape.count == 4 else { throw fail("output_shape must be a constant") }
        guard op.inputs.count >= 3, o.strideH > 0, o.strideW > 0 else { throw fail("inputs or strides") }
        let inputShape = try shape(try tensorIndex(op, 2), rank: 4), filterShape = try shape(try tensorIndex(op, 1), rank: 4)
        let kernel = [filterShape[1], filterShape[2]], strides = [Int(o.strideH), Int(o.strideW)]
        var pads = [0, 0, 0, 0], outputPadding = [0, 0]
        for axis in 0..<2 {
            let total = (inputShape[1 + axis] - 1) * strides[axis] + kernel[axis] - outputShape[1 + axis]
            if o.padding == .valid && total > 0 {
                pads[axis + 2] = total
            } else if total >= 0 {
                pads[axis] = total / 2
                pads[axis + 2] = total - total / 2
            } else {
                outputPadding[axis] = -total
            }
        }
        let filter = transpose(try input(1), [3, 0, 1, 2])
        let bias = op.inputs.count > 3 && op.inputs[3] >= 0 ? [name(op.inputs[3])] : []
        try nchw(o.activation) { x, y in
            node("ConvTranspose", [x, filter] + bias, [y], ["strides": .ints(strides), "pads": .ints(pads),
                                                            "output_padding": .ints(outputPadding), "kernel_shape": .ints(kernel)])
        }
    }
}
