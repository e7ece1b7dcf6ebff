import FerryIR

/// Lowerings of quantized graphs (after QDQFolding): QUANTIZE / DEQUANTIZE at the edges of
/// integer regions, and the int8 CONV_2D, DEPTHWISE_CONV_2D and FULLY_CONNECTED, whose weights
/// are stored as the int8 values and per-channel scales the quantizer chose and whose int32
/// bias has scale input_scale × weight_scale, as the TFLite int8 specification asks.
extension TFLiteEmitter {
    func isQuantized(_ name: String) -> Bool { quantization[name] != nil }

    func isQuantizedFullyConnected(_ node: Node) -> Bool {
        guard isQuantized(node.inputs[0]), let w = node.input(1), let weight = constants[w] else { return false }
        return weight.dataType == .int8 && isQuantized(w)
    }

    /// QuantizeLinear left by the folding: float → int (an input or the end of a float layer),
    /// or int → int at new parameters (a requantization).
    func lowerQuantize(_ node: Node) throws {
        let x = node.inputs[0], out = node.outputs[0]
        guard isQuantized(out) else { throw unsupported(node, "a QuantizeLinear TFLite cannot express (per-axis, blocked or uint8 output)") }
        let perm = try self.perm(x)
        let input = try tensor(x, perm: perm)
        let y = try define(out, perm: perm)
        emit(.quantize, version: isQuantized(x) ? 2 : 1, inputs: [input], outputs: [y], options: .empty(.quantize))
    }

    /// DequantizeLinear of a runtime int value (the start of a float layer or a float output).
    func lowerDequantize(_ node: Node) throws {
        let x = node.inputs[0], out = node.outputs[0]
        guard isQuantized(x) else { throw unsupported(node, "a DequantizeLinear TFLite cannot express (per-axis or blocked on a runtime value)") }
        let perm = try self.perm(x)
        let input = try tensor(x, perm: perm)
        let y = try define(out, perm: perm)
        emit(.dequantize, version: 2, inputs: [input], outputs: [y], options: .empty(.dequantize))
    }

    /// The bias of a quantized weighted op: the quantizer's int32 values, or zeros at the right
    /// scale; int64 when the input is int16 (16×8, as TFLite's kernels and converter take it).
    private func quantizedBias(_ node: Node, position: Int, input: String, inputScale: Float, weight: ValueQuantization, channels: Int,
                               name: String) throws -> Int32 {
        let wide = try type(input) == .int16
        if let biasName = node.input(position) {
            guard let bias = constants[biasName], bias.dataType == .int32, bias.count == channels, let q = quantization[biasName] else {
                throw unsupported(node, "bias is not an int32 constant of \(channels) values")
            }
            let values = wide ? Tensor(shape: [channels], values: bias.elements(as: Int32.self).map(Int64.init)) : bias.reshaped([channels])
            return try constant(values, name: name, quantization: q.tflite(perm: [0]))
        }
        let scales = weight.scales.map { $0 * inputScale }
        let q = ValueQuantization(scales: scales, zeroPoints: Array(repeating: 0, count: scales.count), axis: 0)
        let zeros = wide ? Tensor(shape: [channels], values: [Int64](repeating: 0, count: channels))
                         : Tensor(shape: [channels], values: [Int32](repeating: 0, count: channels))
        return try constant(zeros, name: name, quantization: q.tflite(perm: [0]))
    }

    func lowerQuantizedConv(_ node: Node) throws {
        let x = node.inputs[0], out = node.outputs[0]
        let shape = try windowShape(x, node)
        let weightName = node.inputs[1]
        guard let stored = constants[weightName], let wq = quantization[weightName], wq.axis == 0 || wq.scales.count == 1, let xq = quantization[x] else {
            throw unsupported(node, "quantized weight missing")
        }
        let weight = try windowWeight(stored, node)
        let group = try NodeAttributes(exporting: node).int("group", default: 1)
        let outChannels = weight.shape[0]
        let (activation, output) = try fuseActivation(after: out)
        let window = try Window2D(node, kernel: [weight.shape[2], weight.shape[3]], input: [shape[2], shape[3]], emitter: self)
        let (input, padding) = try windowInput(x, window: window, padValue: 0, node: node)
        let bias = try quantizedBias(node, position: 2, input: x, inputScale: xq.scales[0], weight: wq, channels: outChannels, name: "\(output)/bias")
        let (y, finish) = try windowOutput(output)
        if group == 1 {
            let perm = [0, 2, 3, 1]
            let filter = try constant(transposed(weight, perm), name: "\(output)/filter", quantization: wq.tflite(perm: perm))
            emit(.conv2D, version: 3, inputs: [input, filter, bias], outputs: [y],
                 options: .conv2D(.init(padding: padding, strideW: Int32(window.strides[1]), strideH: Int32(window.strides[0]),
                                        activation: activation, dilationW: Int32(window.dilations[1]), dilationH: Int32(window.dilations[0]))))
        } else if group == shape[1] && weight.shape[1] == 1 {
            let perm = [1, 2, 3, 0]
            let filter = try constant(transposed(weight, perm), name: "\(output)/filter", quantization: wq.tflite(perm: perm))
            emit(.depthwiseConv2D, version: 3, inputs: [input, filter, bias], outputs: [y],
                 options: .depthwiseConv2D(.init(padding: padding, strideW: Int32(window.strides[1]), strideH: Int32(window.strides[0]),
                                                 depthMultiplier: Int32(outChannels / group), activation: activation,
                                                 dilationW: Int32(window.dilations[1]), dilationH: Int32(window.dilations[0]))))
        } else {
            throw unsupported(node, "grouped convolution (group=\(group) of \(shape[1]) channels) has no TFLite builtin")
        }
        try finish()
    }

    /// Gemm / MatMul with an int8 constant weight: FULLY_CONNECTED over the flattened rows.
    func lowerQuantizedFullyConnected(_ node: Node) throws {
        let x = node.inputs[0], out = node.outputs[0]
        let weightName = node.inputs[1]
        guard let weight = constants[weightName], weight.rank == 2, let wq = quantization[weightName], let xq = quantization[x] else {
            throw unsupported(node, "quantized weight missing")
        }
        var transB = false
        if case .int(let t)? = node.attributes["transB"] { transB = t != 0 }
        // FULLY_CONNECTED holds one weight row per output: [N, K].
        let perm = transB ? [0, 1] : [1, 0]
        let rows = transposed(weight, perm)
        let n = rows.shape[0]
        let (activation, final) = try fuseActivation(after: out)
        let rank = try self.rank(x)
        let input = rank > 2 ? try tensor(x, perm: Permutation.identity(rank)) : try tensorInSourceOrder(x)
        let w = try constant(rows, name: "\(final)/weights", quantization: wq.tflite(perm: perm))
        let b = try quantizedBias(node, position: node.opType == "Gemm" ? 2 : 99, input: x, inputScale: xq.scales[0], weight: wq, channels: n,
                                  name: "\(final)/bias")
        let y = try define(final, perm: Permutation.identity(try self.rank(final)))
        emit(.fullyConnected, version: rank > 2 ? 5 : 4, inputs: [input, w, b], outputs: [y],
             options: .fullyConnected(.init(activation: activation, keepNumDims: rank > 2)))
    }

    /// An int8 weight for a hybrid (dynamic-range) op: the quantizer's integers behind a float
    /// constant the source dequantizes, laid out by `perm`, or nil when `name` has none.
    /// `shape`, when given, is the shape the integers are read in first (a 1-D Conv's weight as
    /// 2-D, a size-1 axis inserted after the per-channel axis 0).
    func hybridWeight(_ name: String?, shape: [Int]? = nil, perm: [Int], tensorName: String) throws -> Int32? {
        guard let name, let origin = quantizedConstants[name], origin.values.dataType == .int8,
              origin.quantization.zeroPoints.allSatisfy({ $0 == 0 }) else { return nil }
        let values = shape.map { origin.values.reshaped($0) } ?? origin.values
        return try constant(transposed(values, perm), name: tensorName, quantization: origin.quantization.tflite(perm: perm))
    }
}
