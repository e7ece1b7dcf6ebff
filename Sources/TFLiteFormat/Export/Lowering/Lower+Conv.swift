import FerryIR
import FerryRuntime

/// Sliding-window geometry of a 2-D Conv or pool, with explicit ONNX pads resolved. A 1-D
/// window (one kernel size) is the 2-D window of height 1 that TFLite runs it as.
struct Window2D {
    var kernel: [Int]      // [kh, kw]
    var strides: [Int]
    var dilations: [Int]
    var pads: [Int]        // [top, left, bottom, right]

    /// `kernel` and `input` are the 2-D sizes; a 1-D op (rank-3 input) gives them with height
    /// 1, and its one-axis strides, dilations and pads are lifted to match.
    init(_ node: Node, kernel: [Int], input: [Int], emitter: TFLiteEmitter) throws {
        let attributes = NodeAttributes(exporting: node)
        let oneDimensional = try emitter.rank(node.inputs[0]) == 3
        func lift(_ values: [Int]?) -> [Int]? { oneDimensional ? values.map { [1] + $0 } : values }
        self.kernel = kernel
        strides = lift(try attributes.ints("strides")) ?? [1, 1]
        dilations = lift(try attributes.ints("dilations")) ?? [1, 1]
        var explicitPads = try attributes.ints("pads")
        if oneDimensional, let p = explicitPads, p.count == 2 { explicitPads = [0, p[0], 0, p[1]] }
        guard strides.count == 2, dilations.count == 2, kernel.count == 2, (strides + dilations + kernel).allSatisfy({ $0 > 0 }) else {
            throw emitter.unsupported(node, "strides \(strides), dilations \(dilations), kernel \(kernel)")
        }
        switch try attributes.string("auto_pad", default: "NOTSET") {
        case "NOTSET": pads = explicitPads ?? [0, 0, 0, 0]
        case "VALID": pads = [0, 0, 0, 0]
        case let mode where mode == "SAME_UPPER" || mode == "SAME_LOWER":
            let same = Window2D.samePads(input: input, kernel: kernel, strides: strides, dilations: dilations)
            pads = mode == "SAME_UPPER" ? same : [same[2], same[3], same[0], same[1]]
        case let mode: throw emitter.unsupported(node, "auto_pad=\(mode)")
        }
        guard pads.count == 4, pads.allSatisfy({ $0 >= 0 }) else { throw emitter.unsupported(node, "pads \(pads)") }
    }

    /// TensorFlow's SAME padding: output ceil(in / stride), the odd pixel at the end.
    static func samePads(input: [Int], kernel: [Int], strides: [Int], dilations: [Int]) -> [Int] {
        var begin = [0, 0], end = [0, 0]
        for axis in 0..<2 {
            let out = (input[axis] + strides[axis] - 1) / strides[axis]
            let total = max((out - 1) * strides[axis] + (kernel[axis] - 1) * dilations[axis] + 1 - input[axis], 0)
            begin[axis] = total / 2
            end[axis] = total - total / 2
        }
        return begin + end
    }

    /// SAME or VALID when one of them means exactly these pads; nil when a PAD op is needed.
    func padding(input: [Int]) -> TFLitePadding? {
        if pads.allSatisfy({ $0 == 0 }) { return .valid }
        if pads == Window2D.samePads(input: input, kernel: kernel, strides: strides, dilations: dilations) { return .same }
        return nil
    }
}

extension TFLiteEmitter {
    /// The NHWC input of a windowed op, padded explicitly (with `padValue`) when neither SAME
    /// nor VALID expresses the ONNX pads.
    func windowInput(_ name: String, window: Window2D, padValue: Float?, node: Node) throws -> (Int32, TFLitePadding) {
        let nhwc = Permutation.channelsLast(4)
        let (x, shape) = try windowTensor(name)
        if let padding = window.padding(input: [shape[2], shape[3]]) { return (x, padding) }
        guard let padValue else { throw unsupported(node, "pads \(window.pads) are neither SAME nor VALID and padding would change the result") }
        let p = window.pads
        let padded = [shape[0], shape[2] + p[0] + p[2], shape[3] + p[1] + p[3], shape[1]]
        let quantized = quantization(of: name, perm: try rank(name) == 3 ? [0, 2, 1] : nhwc)
        let output = try addTensor(name: "\(node.outputs[0])/padded", shape: padded, type: try type(name), quantization: quantized)
        let paddings = try int32Constant([0, 0, p[0], p[2], p[1], p[3], 0, 0], shape: [4, 2], name: "\(node.outputs[0])/paddings")
        if padValue == 0 {
            // A quantized PAD fills with the zero point, which is real zero.
            emit(.pad, inputs: [x, paddings], outputs: [output], options: .empty(.pad))
        } else if let quantized {
            // Only max pooling pads with another value (the lowest): the lowest integer.
            guard padValue == -Float.greatestFiniteMagnitude else { throw unsupported(node, "quantized padding with \(padValue)") }
            let type = try type(name)
            let lowest = type == .int16 ? Tensor(shape: [], values: [Int16.min]) : Tensor(shape: [], values: [Int8.min])
            let value = try constant(lowest, name: "\(node.outputs[0])/pad_value", quantization: quantized)
            emit(.padV2, inputs: [x, paddings, value], outputs: [output], options: .empty(.padV2))
        } else {
            let value = try floatConstant([padValue], shape: [], name: "\(node.outputs[0])/pad_value")
            emit(.padV2, inputs: [x, paddings, value], outputs: [output], options: .empty(.padV2))
        }
        return (output, .valid)
    }

    func lowerConv(_ index: Int, _ node: Node) throws {
        let x = node.inputs[0], out = node.outputs[0]
        let shape = try windowShape(x, node)
        let weight = try windowWeight(try constantInput(node, 1), node)
        let group = try NodeAttributes(exporting: node).int("group", default: 1)
        let outChannels = weight.shape[0]
        var w = try floats(weight, node)
        var bias: [Float] = node.input(2) == nil ? Array(repeating: 0, count: outChannels) : try floats(try constantInput(node, 2), node)
        var name = out
        var hybridSource: String? = node.inputs[1]
        // BatchNormalization right after: scale the filters and shift the bias instead.
        if let (bnIndex, bn) = soleConsumer(of: out), bn.opType == "BatchNormalization", bn.outputs.filter({ !$0.isEmpty }).count == 1,
           let folded = try? foldBatchNorm(bn, channels: outChannels) {
            let perFilter = w.count / outChannels
            for o in 0..<outChannels {
                for i in 0..<perFilter { w[o * perFilter + i] *= folded.scale[o] }
                bias[o] = bias[o] * folded.scale[o] + folded.shift[o]
            }
            absorbed.insert(bnIndex)
            name = bn.outputs[0]
            hybridSource = nil
        }
        let (activation, output) = try fuseActivation(after: name)
        let window = try Window2D(node, kernel: [weight.shape[2], weight.shape[3]], input: [shape[2], shape[3]], emitter: self)
        let (input, padding) = try windowInput(x, window: window, padValue: 0, node: node)
        let weightTensor = Tensor(shape: weight.shape, values: w)
        let biasTensor = try constant(Tensor(shape: [outChannels], values: bias), name: "\(output)/bias")
        let (y, finish) = try windowOutput(output)
        if group == 1 {
            let filter = try hybridWeight(hybridSource, shape: weight.shape, perm: [0, 2, 3, 1], tensorName: "\(output)/filter")
                ?? constant(transposed(weightTensor, [0, 2, 3, 1]), name: "\(output)/filter")
            emit(.conv2D, inputs: [input, filter, biasTensor], outputs: [y],
                 options: .conv2D(.init(padding: padding, strideW: Int32(window.strides[1]), strideH: Int32(window.strides[0]),
                                        activation: activation, dilationW: Int32(window.dilations[1]), dilationH: Int32(window.dilations[0]))))
        } else if group == shape[1] && weight.shape[1] == 1 {
            let filter = try hybridWeight(hybridSource, shape: weight.shape, perm: [1, 2, 3, 0], tensorName: "\(output)/filter")
                ?? constant(transposed(weightTensor, [1, 2, 3, 0]), name: "\(output)/filter")
            let dilated = window.dilations != [1, 1]
            emit(.depthwiseConv2D, version: dilated ? 2 : 1, inputs: [input, filter, biasTensor], outputs: [y],
                 options: .depthwiseConv2D(.init(padding: padding, strideW: Int32(window.strides[1]), strideH: Int32(window.strides[0]),
                                                 depthMultiplier: Int32(outChannels / group), activation: activation,
                                                 dilationW: Int32(window.dilations[1]), dilationH: Int32(window.dilations[0]))))
        } else {
            throw unsupported(node, "grouped convolution (group=\(group) of \(shape[1]) channels) has no TFLite builtin")
        }
        try finish()
    }

    /// Per-channel scale and shift of an inference BatchNormalization with constant statistics.
    func foldBatchNorm(_ node: Node, channels: Int) throws -> (scale: [Float], shift: [Float]) {
        let scale = try floats(try constantInput(node, 1), node), bias = try floats(try constantInput(node, 2), node)
        let mean = try floats(try constantInput(node, 3), node), variance = try floats(try constantInput(node, 4), node)
        guard [scale, bias, mean, variance].allSatisfy({ $0.count == channels }) else {
            throw unsupported(node, "statistics do not have \(channels) channels")
        }
        let epsilon = try NodeAttributes(exporting: node).float("epsilon", default: 1e-5)
        var a = [Float](), b = [Float]()
        for c in 0..<channels {
            let factor = scale[c] / (variance[c] + epsilon).squareRoot()
            a.append(factor)
            b.append(bias[c] - mean[c] * factor)
        }
        return (a, b)
    }

    /// BatchNormalization not after a Conv: MUL and ADD by per-channel constants.
    func lowerBatchNormalization(_ node: Node) throws {
        guard node.outputs.filter({ !$0.isEmpty }).count == 1 else { throw unsupported(node, "training-mode outputs") }
        let x = node.inputs[0]
        let shape = try self.shape(x)
        guard shape.count >= 2 else { throw unsupported(node, "input of rank \(shape.count)") }
        let (scale, shift) = try foldBatchNorm(node, channels: shape[1])
        let broadcast = [shape[1]] + Array(repeating: 1, count: shape.count - 2)
        let scaleName = "\(node.outputs[0])/bn_scale", shiftName = "\(node.outputs[0])/bn_shift", scaled = "\(node.outputs[0])/bn_scaled"
        shapes[scaled] = shape
        types[scaled] = .float32
        constants[scaleName] = Tensor(shape: broadcast, values: scale)
        constants[shiftName] = Tensor(shape: broadcast, values: shift)
        try lowerBinary(node, .mul, inputs: [x, scaleName], output: scaled, fixedOptions: .mul(activation: .none))
        try lowerBinary(node, .add, inputs: [scaled, shiftName], output: node.outputs[0], options: { .add(activation: $0) })
    }

    func lowerConvTranspose(_ node: Node) throws {
        let x = node.inputs[0], out = node.outputs[0]
        let shape = try self.shape(x), outShape = try self.shape(out)
        guard shape.count == 4 else { throw unsupported(node, "only 2-D transposed convolutions map to TRANSPOSE_CONV") }
        let weight = try constantInput(node, 1)
        let attributes = NodeAttributes(exporting: node)
        guard try attributes.int("group", default: 1) == 1 else { throw unsupported(node, "grouped transposed convolution") }
        guard (try attributes.ints("dilations") ?? [1, 1]) == [1, 1] else { throw unsupported(node, "dilated transposed convolution") }
        let strides = try attributes.ints("strides") ?? [1, 1]
        let kernel = [weight.shape[2], weight.shape[3]]
        let outChannels = weight.shape[1]
        let full = [(shape[2] - 1) * strides[0] + kernel[0], (shape[3] - 1) * strides[1] + kernel[1]]
        // Where the ONNX output starts inside the full (VALID) result, as the reference core
        // places it (output_padding only extends the end).
        let window = try lowering(node) { try WindowAttributes(attributes) }
        let begin = try lowering(node) {
            try window.resolveTransposed(input: [shape[2], shape[3]], kernel: kernel, outputPadding: try attributes.ints("output_padding"),
                                         outputShape: try attributes.ints("output_shape")).padBegin
        }
        guard begin.allSatisfy({ $0 >= 0 }) else { throw unsupported(node, "an output_shape beyond the full transposed convolution") }
        for axis in 0..<2 where begin[axis] + outShape[2 + axis] > full[axis] {
            throw unsupported(node, "output_padding beyond the kernel's reach needs zero padding TFLite does not add")
        }
        let (activation, output) = try fuseActivation(after: out)
        let input = try tensor(x, perm: Permutation.channelsLast(4))
        let filter = try constant(transposed(weight, [1, 2, 3, 0]), name: "\(output)/filter")
        let bias = try node.input(2).map { try tensor($0, perm: [0]) }
            ?? (try constant(Tensor(shape: [outChannels], values: Array(repeating: Float(0), count: outChannels)), name: "\(output)/bias"))
        let fullShape = [shape[0], full[0], full[1], outChannels]
        let outputShape = try int32Constant(fullShape, name: "\(output)/output_shape")
        let cropped = begin == [0, 0] && full == [outShape[2], outShape[3]]
        let y = cropped ? try define(output, perm: Permutation.channelsLast(4))
            : try addTensor(name: "\(output)/full", shape: fullShape, type: .float32)
        emit(.transposeConv, version: 3, inputs: [outputShape, filter, input, bias], outputs: [y],
             options: .transposeConv(.init(padding: .valid, strideW: Int32(strides[1]), strideH: Int32(strides[0]), activation: activation)))
        if !cropped {
            let starts = try int32Constant([0, begin[0], begin[1], 0], name: "\(output)/begin")
            let sizes = try int32Constant([outShape[0], outShape[2], outShape[3], outChannels], name: "\(output)/size")
            let result = try define(output, perm: Permutation.channelsLast(4))
            emit(.slice, inputs: [y, starts, sizes], outputs: [result], options: .empty(.slice))
        }
    }
}
