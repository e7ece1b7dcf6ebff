import FerryIR

/// Quantized TFLite operators become the QDQ form Ferry's quantizer writes, which the reference
/// core's integer lowering turns back into the integer kernels TFLite runs: every quantized
/// input is read through a DequantizeLinear, every quantized output is written by a
/// QuantizeLinear. CONV_2D, DEPTHWISE_CONV_2D and FULLY_CONNECTED keep their layout changes on
/// the integer side (int8 transposes and reshapes are exact), so that the lowering sees
/// DequantizeLinear → Conv/Gemm → (Relu/Clip) → QuantizeLinear, as it does in a converted model.
/// Quantized constants other ops read become float constants holding exactly what
/// DequantizeLinear would compute.
private extension DataType {
    var isIntegerActivationType: Bool { self == .int8 || self == .int16 }
}

extension ImportBuilder {
    func isQuantized(_ index: Int32) -> Bool { index >= 0 && quantizations[Int(index)] != nil }

    /// Scale, zero-point and axis constants of tensor `index`'s parameters, for Q/DQ nodes.
    private func parameterInputs(_ index: Int, axisPerm: [Int]? = nil) -> (inputs: [String], attributes: [String: Attribute]) {
        let q = quantizations[index]!
        let type = subgraph.tensors[index].type.dataType!
        let zeros = q.zeroPoint.isEmpty ? [Int64](repeating: 0, count: q.scale.count) : q.zeroPoint
        let scale = q.scale.count == 1 ? Tensor(scalar: q.scale[0]) : Tensor(shape: [q.scale.count], values: q.scale)
        let zeroPoint: Tensor
        switch type {
        case .int8: zeroPoint = q.scale.count == 1 ? Tensor(scalar: Int8(truncatingIfNeeded: zeros[0])) : Tensor(shape: [zeros.count], values: zeros.map { Int8(truncatingIfNeeded: $0) })
        case .int16: zeroPoint = q.scale.count == 1 ? Tensor(scalar: Int16(truncatingIfNeeded: zeros[0])) : Tensor(shape: [zeros.count], values: zeros.map { Int16(truncatingIfNeeded: $0) })
        case .uint8: zeroPoint = q.scale.count == 1 ? Tensor(scalar: UInt8(truncatingIfNeeded: zeros[0])) : Tensor(shape: [zeros.count], values: zeros.map { UInt8(truncatingIfNeeded: $0) })
        default: zeroPoint = q.scale.count == 1 ? Tensor(scalar: Int32(truncatingIfNeeded: zeros[0])) : Tensor(shape: [zeros.count], values: zeros.map { Int32(truncatingIfNeeded: $0) })
        }
        var attributes: [String: Attribute] = [:]
        if q.scale.count > 1 {
            let dimension = Int(q.quantizedDimension)
            attributes["axis"] = .int(axisPerm.map { $0.firstIndex(of: dimension)! } ?? dimension)
        }
        return ([addConstant(scale, hint: "\(names[index])/scale"), addConstant(zeroPoint, hint: "\(names[index])/zero_point")], attributes)
    }

    /// The float value of quantized tensor `index`: a DequantizeLinear of a runtime tensor, or a
    /// float constant for a per-channel quantized constant. A per-tensor int8/int16 constant
    /// (an ADD or MUL operand) stays integer behind a DequantizeLinear, so that the integer
    /// lowering runs its op as TFLite's integer kernel does.
    func dequantizedName(_ index: Int) -> String {
        if let known = dequantized[index] { return known }
        let name = names[index]
        let result: String
        if let values = initializers[name], quantizations[index]!.scale.count > 1 || !values.dataType.isIntegerActivationType {
            let q = quantizations[index]!
            let zeros = q.zeroPoint.isEmpty ? [Int64](repeating: 0, count: q.scale.count) : q.zeroPoint
            let integers = values.integers()
            let shape = values.shape
            var floats = [Float](repeating: 0, count: integers.count)
            let dimension = Int(q.quantizedDimension)
            let inner = q.scale.count == 1 ? integers.count : shape[(dimension + 1)...].reduce(1, *)
            for (i, v) in integers.enumerated() {
                let channel = q.scale.count == 1 ? 0 : (i / inner) % q.scale.count
                floats[i] = Float(Int64(v) - zeros[channel]) * q.scale[channel]
            }
            result = addConstant(Tensor(shape: shape, values: floats), hint: "\(name)/dequantized")
        } else {
            let (parameters, attributes) = parameterInputs(index)
            result = node("DequantizeLinear", [name] + parameters, [fresh("\(name)/dequantized")], attributes)[0]
        }
        dequantized[index] = result
        return result
    }

    /// Writes float `value` into quantized tensor `index` through a QuantizeLinear.
    func quantize(_ value: String, into index: Int) {
        let (parameters, attributes) = parameterInputs(index)
        node("QuantizeLinear", [value] + parameters, [names[index]], attributes)
    }

    /// Imports a quantized operator: dedicated forms for the weighted ops, otherwise the float
    /// form between dequantized inputs and quantized outputs.
    func lowerQuantized(index: Int, _ op: TFLiteOperator, code: TFLiteBuiltinOperator) throws {
        let opName = code.description
        func fail(_ reason: String) -> TFLiteImportError { .unsupportedOp(index: index, op: opName, reason: reason) }
        switch (code, op.options) {
        case (.quantize, _):
            let x = try tensorIndex(op, 0)
            let input = isQuantized(x) ? dequantizedName(Int(x)) : name(x)
            quantize(input, into: Int(op.outputs[0]))
            return
        case (.dequantize, _):
            let x = try tensorIndex(op, 0)
            if isQuantized(x) {
                node("Identity", [dequantizedName(Int(x))], [name(op.outputs[0])])
            } else {
                // Float16 storage: the constant is cast once, at session creation.
                node("Cast", [name(x)], [name(op.outputs[0])], ["to": .int(Int(DataType.float32.rawValue))])
            }
            return
        case (.conv2D, .conv2D(let o)) where isQuantized(op.inputs[0]) && isQuantized(op.outputs[0]):
            return try integerConv(op, padding: o.padding, strides: [o.strideH, o.strideW], dilations: [o.dilationH, o.dilationW],
                                   filterPerm: [0, 3, 1, 2], depthwise: false, activation: o.activation, fail: fail)
        case (.depthwiseConv2D, .depthwiseConv2D(let o)) where isQuantized(op.inputs[0]) && isQuantized(op.outputs[0]):
            return try integerConv(op, padding: o.padding, strides: [o.strideH, o.strideW], dilations: [o.dilationH, o.dilationW],
                                   filterPerm: [3, 0, 1, 2], depthwise: true, activation: o.activation, fail: fail)
        case (.fullyConnected, .fullyConnected(let o)) where isQuantized(op.inputs[0]) && isQuantized(op.outputs[0]):
            return try integerFullyConnected(op, activation: o.activation, fail: fail)
        default:
            break
        }
        // The float form: quantized inputs read through their float stand-ins, quantized
        // outputs written to float stand-ins first.
        let saved = names
        for tensor in op.inputs where isQuantized(tensor) { names[Int(tensor)] = dequantizedName(Int(tensor)) }
        // Hybrid ops (float input, int8 weights) quantize their input on the fly, per row.
        if [.conv2D, .depthwiseConv2D, .fullyConnected].contains(code), op.inputs.count > 1, op.inputs[0] >= 0,
           !isQuantized(op.inputs[0]), isQuantized(op.inputs[1]) {
            let symmetric = code == .fullyConnected  // asymmetric_quantize_inputs is not written
            let rank = try shape(op.inputs[0]).count
            let x = names[Int(op.inputs[0])]
            let quantized = fresh("\(x)/hybrid_input")
            nodes.append(Node(name: quantized, opType: "HybridInputQuantization", domain: "ai.ferry", inputs: [x], outputs: [quantized],
                              attributes: ["mode": .string(symmetric ? "symmetric" : "asymmetric"),
                                           "rows_axis": .int(code == .fullyConnected ? Swift.max(rank - 1, 1) : 1)]))
            names[Int(op.inputs[0])] = quantized
        }
        var floatOutputs: [(Int, String)] = []
        for tensor in op.outputs where isQuantized(tensor) {
            let stand = fresh("\(saved[Int(tensor)])/float")
            names[Int(tensor)] = stand
            floatOutputs.append((Int(tensor), stand))
        }
        defer { names = saved }
        try lowerFloat(index: index, op)
        names = saved
        for (tensor, stand) in floatOutputs { quantize(stand, into: tensor) }
    }

    /// The int8 Conv as the quantizer writes it: NCHW between int8 transposes, the filter an
    /// int8 constant in ONNX layout behind a per-channel DequantizeLinear, the bias int32.
    private func integerConv(_ op: TFLiteOperator, padding: TFLitePadding, strides: [Int32], dilations: [Int32], filterPerm: [Int],
                             depthwise: Bool, activation: TFLiteActivation, fail: (String) -> TFLiteImportError) throws {
        let xIndex = try tensorIndex(op, 0), wIndex = try tensorIndex(op, 1)
        let dims = try shape(xIndex, rank: 4), filterShape = try shape(wIndex, rank: 4)
        guard let filter = constant(wIndex), isQuantized(wIndex) else { throw fail("the filter must be a quantized constant") }
        guard strides.count == 2, dilations.count == 2, (strides + dilations).allSatisfy({ $0 > 0 }) else { throw fail("strides and dilations must be positive") }
        let kernel = [filterShape[1], filterShape[2]]
        let s = strides.map { Int($0) }, d = dilations.map { Int($0) }
        let pads = padding == .same ? Window2D.samePads(input: [dims[1], dims[2]], kernel: kernel, strides: s, dilations: d) : [0, 0, 0, 0]
        let x = node("DequantizeLinear", [transpose(names[Int(xIndex)], [0, 3, 1, 2])] + parameterInputs(Int(xIndex)).inputs,
                     [fresh("\(names[Int(xIndex)])/nchw_dequantized")])[0]
        let filterNCHW = addConstant(transposed(filter, filterPerm), hint: "\(names[Int(wIndex)])/oihw")
        let (wParameters, wAttributes) = parameterInputs(Int(wIndex), axisPerm: filterPerm)
        let w = node("DequantizeLinear", [filterNCHW] + wParameters, [fresh("\(names[Int(wIndex)])/dequantized")], wAttributes)[0]
        var inputs = [x, w]
        if op.inputs.count > 2, op.inputs[2] >= 0 {
            inputs.append(try integerBias(op.inputs[2], fail: fail))
        }
        let group = depthwise ? dims[3] : 1
        let y = node("Conv", inputs, [fresh("\(name(op.outputs[0]))/nchw_float")],
                     ["strides": .ints(s), "dilations": .ints(d), "pads": .ints(pads), "group": .int(group), "kernel_shape": .ints(kernel)])[0]
        try finishInteger(y, op: op, activation: activation, layout: [0, 2, 3, 1])
    }

    /// FULLY_CONNECTED on int8: rows (an int8 reshape) → Gemm with transB → int8, reshaped to the output.
    private func integerFullyConnected(_ op: TFLiteOperator, activation: TFLiteActivation, fail: (String) -> TFLiteImportError) throws {
        let xIndex = try tensorIndex(op, 0), wIndex = try tensorIndex(op, 1)
        guard constant(wIndex) != nil, isQuantized(wIndex) else { throw fail("the weights must be a quantized constant") }
        let k = try shape(wIndex, rank: 2)[1]
        let rows = node("Reshape", [names[Int(xIndex)], int64s([-1, k], hint: "rows")], [fresh("\(names[Int(xIndex)])/rows")])[0]
        let x = node("DequantizeLinear", [rows] + parameterInputs(Int(xIndex)).inputs, [fresh("\(rows)/dequantized")])[0]
        let (wParameters, wAttributes) = parameterInputs(Int(wIndex))
        let w = node("DequantizeLinear", [names[Int(wIndex)]] + wParameters, [fresh("\(names[Int(wIndex)])/dequantized")], wAttributes)[0]
        var inputs = [x, w]
        if op.inputs.count > 2, op.inputs[2] >= 0 { inputs.append(try integerBias(op.inputs[2], fail: fail)) }
        let y = node("Gemm", inputs, [fresh("\(name(op.outputs[0]))/gemm_float")], ["transB": .int(1)])[0]
        let outShape = try shape(op.outputs[0])
        let rowsShape = try shape(xIndex)
        // Already [rows, N] when the input was [rows, K]: no reshape after the QuantizeLinear.
        let needsReshape = !(outShape.count == 2 && rowsShape.count == 2)
        try finishInteger(y, op: op, activation: activation, layout: needsReshape ? nil : [])
    }

    private func integerBias(_ index: Int32, fail: (String) -> TFLiteImportError) throws -> String {
        guard let bias = constant(index), bias.dataType == .int32 || bias.dataType == .int64, isQuantized(index) else {
            throw fail("the bias must be a quantized int32 (or, for 16×8, int64) constant")
        }
        var source = names[Int(index)]
        if bias.dataType == .int64 {
            // 16×8 biases are int64; the QDQ form holds them as int32, exactly when they fit.
            let values = bias.elements(as: Int64.self)
            guard values.allSatisfy({ Int64(Int32.min)...Int64(Int32.max) ~= $0 }) else {
                throw fail("the int64 bias holds values beyond the int32 range, which Ferry's 16×8 emulation does not take")
            }
            source = addConstant(Tensor(shape: bias.shape, values: values.map { Int32($0) }), hint: "\(source)/int32")
        }
        let (parameters, attributes) = parameterInputs(Int(index))
        return node("DequantizeLinear", [source] + parameters, [fresh("\(names[Int(index)])/dequantized")],
                    attributes.isEmpty && quantizations[Int(index)]!.scale.count > 1 ? ["axis": .int(0)] : attributes)[0]
    }

    /// Activation, QuantizeLinear into an int8 stand-in, and the int8 layout change back
    /// (`layout`: a transpose; nil: a reshape to the output's shape).
    private func finishInteger(_ y: String, op: TFLiteOperator, activation: TFLiteActivation, layout: [Int]?) throws {
        let outIndex = Int(op.outputs[0])
        let activated = activation == .none ? y : fresh("\(y)/activated")
        if activation != .none { try self.activation(activation, y, into: activated, index: 0, op: "fused activation") }
        let final = names[outIndex]
        let integer = fresh("\(final)/integer")
        names[outIndex] = integer
        quantize(activated, into: outIndex)
        names[outIndex] = final
        if layout == [] {
            names[outIndex] = final
            dequantized[outIndex] = nil
            nodes[nodes.count - 1].outputs = [final]
        } else if let layout {
            node("Transpose", [integer], [final], ["perm": .ints(layout)])
        } else {
            node("Reshape", [integer, int64s(try shape(op.outputs[0]), hint: "shape")], [final])
        }
    }
}
