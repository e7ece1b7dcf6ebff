import CCoreML

/// Parses a NeuralNetwork or NeuralNetworkClassifier `.mlmodel` into a `NeuralNetworkSpec`.
/// Reads the layers Ferry writes (see `NNLayerKind`); any other layer is an error naming it.
public struct NNDecoder {
    public var file: String

    public init(file: String = "model.mlmodel") {
        self.file = file
    }

    func fail(_ message: String) -> CoreMLReadError { .spec(file: file, message) }

    public func decode(_ bytes: [UInt8]) throws -> NeuralNetworkSpec {
        guard let model = bytes.withUnsafeBufferPointer({ core_ml__specification__model__unpack(nil, $0.count, $0.baseAddress) }) else {
            throw fail("not a Core ML model spec (protobuf parse failed; truncated or not .mlmodel)")
        }
        defer { core_ml__specification__model__free_unpacked(model, nil) }
        let base = SpecDecoder(file: file, weights: nil)
        var spec = NeuralNetworkSpec()
        spec.specificationVersion = model.pointee.specificationversion
        spec.description = try base.description(model.pointee.description, lenient: false)
        let layers: [UnsafeMutablePointer<CoreML__Specification__NeuralNetworkLayer>]
        let preprocessing: [UnsafeMutablePointer<CoreML__Specification__NeuralNetworkPreprocessing>]
        let mapping: CoreML__Specification__NeuralNetworkMultiArrayShapeMapping
        switch model.pointee.type_case {
        case CORE_ML__SPECIFICATION__MODEL__TYPE_NEURAL_NETWORK:
            guard let network = model.pointee.neuralnetwork else { throw fail("neuralNetwork is missing") }
            layers = try base.messages(network.pointee.layers, network.pointee.n_layers, field: "neuralNetwork.layers")
            preprocessing = try base.messages(network.pointee.preprocessing, network.pointee.n_preprocessing, field: "neuralNetwork.preprocessing")
            mapping = network.pointee.arrayinputshapemapping
        case CORE_ML__SPECIFICATION__MODEL__TYPE_NEURAL_NETWORK_CLASSIFIER:
            guard let network = model.pointee.neuralnetworkclassifier else { throw fail("neuralNetworkClassifier is missing") }
            layers = try base.messages(network.pointee.layers, network.pointee.n_layers, field: "neuralNetworkClassifier.layers")
            preprocessing = try base.messages(network.pointee.preprocessing, network.pointee.n_preprocessing, field: "neuralNetworkClassifier.preprocessing")
            mapping = network.pointee.arrayinputshapemapping
            spec.classLabels = base.classLabels(model)
            spec.probabilityBlob = swiftString(network.pointee.labelprobabilitylayername)
        default:
            throw fail("model type \(model.pointee.type_case.rawValue) is not a NeuralNetwork")
        }
        guard mapping == CORE_ML__SPECIFICATION__NEURAL_NETWORK_MULTI_ARRAY_SHAPE_MAPPING__EXACT_ARRAY_MAPPING || spec.description.inputs.allSatisfy({
            if case .image = $0.kind { return true } else { return false }
        }) else {
            throw fail("arrayInputShapeMapping is RANK5_ARRAY_MAPPING; Ferry reads rank-N (EXACT_ARRAY_MAPPING) networks")
        }
        spec.preprocessing = try preprocessing.map { p in
            let feature = swiftString(p.pointee.featurename)
            guard p.pointee.preprocessor_case == CORE_ML__SPECIFICATION__NEURAL_NETWORK_PREPROCESSING__PREPROCESSOR_SCALER, let s = p.pointee.scaler else {
                throw fail("preprocessing of '\(feature)' is not an image scaler")
            }
            let gray = spec.description.inputs.first { $0.name == feature }.map { $0.kind == .image(.grayscale) } ?? false
            return (feature, NNImageScaler(channelScale: s.pointee.channelscale == 0 ? 1 : s.pointee.channelscale,
                                           biases: gray ? [s.pointee.graybias] : [s.pointee.redbias, s.pointee.greenbias, s.pointee.bluebias]))
        }
        spec.layers = try layers.map { try layer($0) }
        return spec
    }

    func weights(_ w: UnsafeMutablePointer<CoreML__Specification__WeightParams>?, count: Int, _ where_: String) throws -> NNWeights {
        guard let w else { throw fail("\(where_): weights are missing") }
        let raw = [UInt8](UnsafeRawBufferPointer(start: w.pointee.rawvalue.data, count: w.pointee.rawvalue.len))
        let result: NNWeights
        if w.pointee.n_floatvalue > 0 {
            result = .float32(repeated(w.pointee.floatvalue, w.pointee.n_floatvalue))
        } else if w.pointee.float16value.len > 0 {
            guard w.pointee.float16value.len % 2 == 0 else { throw fail("\(where_): float16Value has an odd byte count") }
            let values = UnsafeRawBufferPointer(start: w.pointee.float16value.data, count: w.pointee.float16value.len)
            result = .float16((0..<(values.count / 2)).map { Float16(bitPattern: values.loadUnaligned(fromByteOffset: 2 * $0, as: UInt16.self)) })
        } else if let q = w.pointee.quantization, !raw.isEmpty {
            let bits = Int(q.pointee.numberofbits)
            guard (1...8).contains(bits), raw.count * 8 >= count * bits else {
                throw fail("\(where_): \(raw.count) raw bytes cannot hold \(count) \(bits)-bit values")
            }
            let indices = NNWeights.unpack(raw, bits: bits, count: count)
            switch q.pointee.quantization_type_case {
            case CORE_ML__SPECIFICATION__QUANTIZATION_PARAMS__QUANTIZATION_TYPE_LINEAR_QUANTIZATION:
                guard let linear = q.pointee.linearquantization else { throw fail("\(where_): linearQuantization is missing") }
                let scale = repeated(linear.pointee.scale, linear.pointee.n_scale), bias = repeated(linear.pointee.bias, linear.pointee.n_bias)
                guard !scale.isEmpty, count % scale.count == 0, bias.isEmpty || bias.count == 1 || bias.count == scale.count else {
                    throw fail("\(where_): \(scale.count) scales and \(bias.count) biases for \(count) values")
                }
                result = .linear(bits: bits, values: indices.map { UInt8($0) }, scale: scale, bias: bias)
            case CORE_ML__SPECIFICATION__QUANTIZATION_PARAMS__QUANTIZATION_TYPE_LOOKUP_TABLE_QUANTIZATION:
                guard let lut = q.pointee.lookuptablequantization, lut.pointee.n_floatvalue == 1 << bits else {
                    throw fail("\(where_): the look-up table needs \(1 << bits) entries")
                }
                result = .lookupTable(bits: bits, indices: indices, table: repeated(lut.pointee.floatvalue, lut.pointee.n_floatvalue))
            default:
                throw fail("\(where_): quantized weights without quantization parameters")
            }
        } else if w.pointee.int8rawvalue.len > 0 {
            throw fail("\(where_): int8RawValue (int8DynamicQuantize) is not read by Ferry")
        } else {
            result = .float32([])
        }
        guard result.count == count else { throw fail("\(where_): \(result.count) values, expected \(count)") }
        return result
    }

    private func activation(_ a: UnsafeMutablePointer<CoreML__Specification__ActivationParams>?, _ where_: String) throws -> NNActivation {
        guard let a else { throw fail("\(where_): activation is missing") }
        switch a.pointee.nonlinearity_type_case {
        case CORE_ML__SPECIFICATION__ACTIVATION_PARAMS__NONLINEARITY_TYPE_RE_LU: return .relu
        case CORE_ML__SPECIFICATION__ACTIVATION_PARAMS__NONLINEARITY_TYPE_SIGMOID: return .sigmoid
        case CORE_ML__SPECIFICATION__ACTIVATION_PARAMS__NONLINEARITY_TYPE_TANH: return .tanh
        case CORE_ML__SPECIFICATION__ACTIVATION_PARAMS__NONLINEARITY_TYPE_LEAKY_RE_LU: return .leakyRelu(alpha: a.pointee.leakyrelu?.pointee.alpha ?? 0)
        case CORE_ML__SPECIFICATION__ACTIVATION_PARAMS__NONLINEARITY_TYPE_ELU: return .elu(alpha: a.pointee.elu?.pointee.alpha ?? 0)
        case CORE_ML__SPECIFICATION__ACTIVATION_PARAMS__NONLINEARITY_TYPE_SIGMOID_HARD:
            return .hardSigmoid(alpha: a.pointee.sigmoidhard?.pointee.alpha ?? 0, beta: a.pointee.sigmoidhard?.pointee.beta ?? 0)
        case CORE_ML__SPECIFICATION__ACTIVATION_PARAMS__NONLINEARITY_TYPE_LINEAR:
            return .linear(alpha: a.pointee.linear?.pointee.alpha ?? 0, beta: a.pointee.linear?.pointee.beta ?? 0)
        default: throw fail("\(where_): activation type \(a.pointee.nonlinearity_type_case.rawValue) is not read by Ferry")
        }
    }

    /// `ValidPadding.paddingAmounts` as [top, left, bottom, right].
    private func pads(_ valid: UnsafeMutablePointer<CoreML__Specification__ValidPadding>?, _ where_: String) throws -> [Int] {
        try pads(valid?.pointee.paddingamounts, where_)
    }

    /// `BorderAmounts` as [top, left, bottom, right].
    private func pads(_ amounts: UnsafeMutablePointer<CoreML__Specification__BorderAmounts>?, _ where_: String) throws -> [Int] {
        guard let border = amounts else { return [0, 0, 0, 0] }
        let edges = try SpecDecoder(file: file, weights: nil).messages(border.pointee.borderamounts, border.pointee.n_borderamounts, field: "\(where_) paddingAmounts")
        guard edges.count == 2 else { throw fail("\(where_): paddingAmounts has \(edges.count) entries, expected 2 (H, W)") }
        return [Int(edges[0].pointee.startedgesize), Int(edges[1].pointee.startedgesize), Int(edges[0].pointee.endedgesize), Int(edges[1].pointee.endedgesize)]
    }

    private func ints<T: BinaryInteger>(_ pointer: UnsafeMutablePointer<T>?, _ count: Int) -> [Int] { repeated(pointer, count).map { Int($0) } }

    private func reduce<T: NNReduceParams>(_ op: NNReduction, _ p: UnsafeMutablePointer<T>?, _ where_: String) throws -> NNLayerKind {
        guard let p else { throw fail("\(where_): parameters are missing") }
        return .reduce(op, axes: ints(p.pointee.axes, p.pointee.n_axes), keepDims: p.pointee.keepdims != 0)
    }

    // swiftlint:disable:next cyclomatic_complexity function_body_length
    func layer(_ l: UnsafeMutablePointer<CoreML__Specification__NeuralNetworkLayer>) throws -> NNLayer {
        let name = swiftString(l.pointee.name)
        let here = "layer '\(name)'"
        func need<T>(_ p: UnsafeMutablePointer<T>?) throws -> UnsafeMutablePointer<T> {
            guard let p else { throw fail("\(here): parameters are missing") }
            return p
        }
        let kind: NNLayerKind
        switch l.pointee.layer_case {
        case CORE_ML__SPECIFICATION__NEURAL_NETWORK_LAYER__LAYER_CONVOLUTION:
            let p = try need(l.pointee.convolution)
            let kernel = ints(p.pointee.kernelsize, p.pointee.n_kernelsize), stride = ints(p.pointee.stride, p.pointee.n_stride)
            let dilation = ints(p.pointee.dilationfactor, p.pointee.n_dilationfactor)
            guard p.pointee.convolution_padding_type_case == CORE_ML__SPECIFICATION__CONVOLUTION_LAYER_PARAMS__CONVOLUTION_PADDING_TYPE_VALID else {
                throw fail("\(here): only valid padding with explicit amounts is read")
            }
            let groups = max(Int(p.pointee.ngroups), 1), out = Int(p.pointee.outputchannels), kc = Int(p.pointee.kernelchannels)
            let k = kernel.isEmpty ? [3, 3] : kernel
            guard k.count == 2 else { throw fail("\(here): kernelSize has \(k.count) values") }
            let deconv = p.pointee.isdeconvolution != 0
            let count = (deconv ? kc * out / groups : out * kc) * k[0] * k[1]
            kind = .convolution(NNConvolution(
                outputChannels: out, kernelChannels: kc, groups: groups, kernel: k, stride: stride.isEmpty ? [1, 1] : stride,
                dilation: dilation.isEmpty ? [1, 1] : dilation, pads: try pads(p.pointee.valid, here), isDeconvolution: deconv,
                outputShape: ints(p.pointee.outputshape, p.pointee.n_outputshape), weights: try weights(p.pointee.weights, count: count, "\(here) weights"),
                bias: p.pointee.hasbias != 0 ? try weights(p.pointee.bias, count: out, "\(here) bias") : nil))
        case CORE_ML__SPECIFICATION__NEURAL_NETWORK_LAYER__LAYER_POOLING:
            let p = try need(l.pointee.pooling)
            guard p.pointee.type != CORE_ML__SPECIFICATION__POOLING_LAYER_PARAMS__POOLING_TYPE__L2 else { throw fail("\(here): L2 pooling is not read") }
            guard p.pointee.pooling_padding_type_case == CORE_ML__SPECIFICATION__POOLING_LAYER_PARAMS__POOLING_PADDING_TYPE_VALID || p.pointee.globalpooling != 0 else {
                throw fail("\(here): only valid padding with explicit amounts is read")
            }
            let kernel = ints(p.pointee.kernelsize, p.pointee.n_kernelsize), stride = ints(p.pointee.stride, p.pointee.n_stride)
            kind = .pooling(NNPooling(isMax: p.pointee.type == CORE_ML__SPECIFICATION__POOLING_LAYER_PARAMS__POOLING_TYPE__MAX,
                                      kernel: kernel.isEmpty ? [3, 3] : kernel, stride: stride.isEmpty ? [1, 1] : stride,
                                      pads: try pads(p.pointee.valid, here), excludePadding: p.pointee.avgpoolexcludepadding != 0,
                                      global: p.pointee.globalpooling != 0))
        case CORE_ML__SPECIFICATION__NEURAL_NETWORK_LAYER__LAYER_ACTIVATION:
            kind = .activation(try activation(l.pointee.activation, here))
        case CORE_ML__SPECIFICATION__NEURAL_NETWORK_LAYER__LAYER_BATCHED_MATMUL:
            let p = try need(l.pointee.batchedmatmul)
            let first = Int(p.pointee.weightmatrixfirstdimension), second = Int(p.pointee.weightmatrixseconddimension)
            let hasWeights = l.pointee.n_input == 1
            kind = .batchedMatMul(weights: hasWeights ? try weights(p.pointee.weights, count: first * second, "\(here) weights") : nil,
                                  bias: p.pointee.hasbias != 0 ? try weights(p.pointee.bias, count: second, "\(here) bias") : nil,
                                  inputSize: first, outputSize: second, transposeA: p.pointee.transposea != 0, transposeB: p.pointee.transposeb != 0)
        case CORE_ML__SPECIFICATION__NEURAL_NETWORK_LAYER__LAYER_BATCHNORM:
            let p = try need(l.pointee.batchnorm)
            guard p.pointee.computemeanvar == 0 else { throw fail("\(here): computeMeanVar is not read") }
            let c = Int(p.pointee.channels)
            kind = .batchnorm(channels: c, gamma: try weights(p.pointee.gamma, count: c, "\(here) gamma"), beta: try weights(p.pointee.beta, count: c, "\(here) beta"),
                              mean: try weights(p.pointee.mean, count: c, "\(here) mean"), variance: try weights(p.pointee.variance, count: c, "\(here) variance"),
                              epsilon: p.pointee.epsilon == 0 ? 1e-5 : p.pointee.epsilon)
        case CORE_ML__SPECIFICATION__NEURAL_NETWORK_LAYER__LAYER_ADD_BROADCASTABLE: kind = .binary(.add)
        case CORE_ML__SPECIFICATION__NEURAL_NETWORK_LAYER__LAYER_SUBTRACT_BROADCASTABLE: kind = .binary(.subtract)
        case CORE_ML__SPECIFICATION__NEURAL_NETWORK_LAYER__LAYER_MULTIPLY_BROADCASTABLE: kind = .binary(.multiply)
        case CORE_ML__SPECIFICATION__NEURAL_NETWORK_LAYER__LAYER_DIVIDE_BROADCASTABLE: kind = .binary(.divide)
        case CORE_ML__SPECIFICATION__NEURAL_NETWORK_LAYER__LAYER_MAX_BROADCASTABLE: kind = .binary(.max)
        case CORE_ML__SPECIFICATION__NEURAL_NETWORK_LAYER__LAYER_MIN_BROADCASTABLE: kind = .binary(.min)
        case CORE_ML__SPECIFICATION__NEURAL_NETWORK_LAYER__LAYER_POW_BROADCASTABLE: kind = .binary(.pow)
        case CORE_ML__SPECIFICATION__NEURAL_NETWORK_LAYER__LAYER_UNARY:
            let p = try need(l.pointee.unary)
            guard p.pointee.shift == 0, p.pointee.scale == 0 || p.pointee.scale == 1 else { throw fail("\(here): unary shift/scale is not read") }
            switch p.pointee.type {
            case CORE_ML__SPECIFICATION__UNARY_FUNCTION_LAYER_PARAMS__OPERATION__SQRT: kind = .unary(.sqrt)
            case CORE_ML__SPECIFICATION__UNARY_FUNCTION_LAYER_PARAMS__OPERATION__EXP: kind = .unary(.exp)
            case CORE_ML__SPECIFICATION__UNARY_FUNCTION_LAYER_PARAMS__OPERATION__LOG: kind = .unary(.log)
            case CORE_ML__SPECIFICATION__UNARY_FUNCTION_LAYER_PARAMS__OPERATION__ABS: kind = .unary(.abs)
            default: throw fail("\(here): unary operation \(p.pointee.type.rawValue) is not read")
            }
        case CORE_ML__SPECIFICATION__NEURAL_NETWORK_LAYER__LAYER_CEIL: kind = .unary(.ceil)
        case CORE_ML__SPECIFICATION__NEURAL_NETWORK_LAYER__LAYER_FLOOR: kind = .unary(.floor)
        case CORE_ML__SPECIFICATION__NEURAL_NETWORK_LAYER__LAYER_SIN: kind = .unary(.sin)
        case CORE_ML__SPECIFICATION__NEURAL_NETWORK_LAYER__LAYER_COS: kind = .unary(.cos)
        case CORE_ML__SPECIFICATION__NEURAL_NETWORK_LAYER__LAYER_ERF: kind = .unary(.erf)
        case CORE_ML__SPECIFICATION__NEURAL_NETWORK_LAYER__LAYER_GELU:
            let p = try need(l.pointee.gelu)
            guard p.pointee.mode != CORE_ML__SPECIFICATION__GELU_LAYER_PARAMS__GELU_MODE__SIGMOID_APPROXIMATION else { throw fail("\(here): sigmoid-approximated GELU is not read") }
            kind = .gelu(exact: p.pointee.mode == CORE_ML__SPECIFICATION__GELU_LAYER_PARAMS__GELU_MODE__EXACT)
        case CORE_ML__SPECIFICATION__NEURAL_NETWORK_LAYER__LAYER_CLIP:
            let p = try need(l.pointee.clip)
            kind = .clip(min: p.pointee.minval, max: p.pointee.maxval)
        case CORE_ML__SPECIFICATION__NEURAL_NETWORK_LAYER__LAYER_LOAD_CONSTANT_ND:
            let p = try need(l.pointee.loadconstantnd)
            let shape = ints(p.pointee.shape, p.pointee.n_shape)
            kind = .loadConstant(shape: shape, data: try weights(p.pointee.data, count: shape.reduce(1, *), "\(here) data"))
        case CORE_ML__SPECIFICATION__NEURAL_NETWORK_LAYER__LAYER_REDUCE_SUM: kind = try reduce(.sum, l.pointee.reducesum, here)
        case CORE_ML__SPECIFICATION__NEURAL_NETWORK_LAYER__LAYER_REDUCE_MEAN: kind = try reduce(.mean, l.pointee.reducemean, here)
        case CORE_ML__SPECIFICATION__NEURAL_NETWORK_LAYER__LAYER_REDUCE_MAX: kind = try reduce(.max, l.pointee.reducemax, here)
        case CORE_ML__SPECIFICATION__NEURAL_NETWORK_LAYER__LAYER_REDUCE_MIN: kind = try reduce(.min, l.pointee.reducemin, here)
        case CORE_ML__SPECIFICATION__NEURAL_NETWORK_LAYER__LAYER_REDUCE_PROD: kind = try reduce(.prod, l.pointee.reduceprod, here)
        case CORE_ML__SPECIFICATION__NEURAL_NETWORK_LAYER__LAYER_ARG_MAX:
            let p = try need(l.pointee.argmax)
            kind = .argMax(axis: Int(p.pointee.axis), removeDim: p.pointee.removedim != 0)
        case CORE_ML__SPECIFICATION__NEURAL_NETWORK_LAYER__LAYER_ARG_MIN:
            let p = try need(l.pointee.argmin)
            kind = .argMin(axis: Int(p.pointee.axis), removeDim: p.pointee.removedim != 0)
        case CORE_ML__SPECIFICATION__NEURAL_NETWORK_LAYER__LAYER_RESHAPE_STATIC:
            let p = try need(l.pointee.reshapestatic)
            kind = .reshape(shape: ints(p.pointee.targetshape, p.pointee.n_targetshape))
        case CORE_ML__SPECIFICATION__NEURAL_NETWORK_LAYER__LAYER_TRANSPOSE:
            let p = try need(l.pointee.transpose)
            kind = .transpose(axes: ints(p.pointee.axes, p.pointee.n_axes))
        case CORE_ML__SPECIFICATION__NEURAL_NETWORK_LAYER__LAYER_CONCAT_ND:
            let p = try need(l.pointee.concatnd)
            guard p.pointee.interleave == 0 else { throw fail("\(here): interleaved concatenation is not read") }
            kind = .concat(axis: Int(p.pointee.axis))
        case CORE_ML__SPECIFICATION__NEURAL_NETWORK_LAYER__LAYER_SOFTMAX_ND:
            kind = .softmax(axis: Int(try need(l.pointee.softmaxnd).pointee.axis))
        case CORE_ML__SPECIFICATION__NEURAL_NETWORK_LAYER__LAYER_GATHER:
            kind = .gather(axis: Int(try need(l.pointee.gather).pointee.axis))
        case CORE_ML__SPECIFICATION__NEURAL_NETWORK_LAYER__LAYER_SLICE_STATIC:
            let p = try need(l.pointee.slicestatic)
            guard repeated(p.pointee.squeezemasks, p.pointee.n_squeezemasks).allSatisfy({ $0 == 0 }) else { throw fail("\(here): squeezeMasks are not read") }
            kind = .slice(begin: ints(p.pointee.beginids, p.pointee.n_beginids), end: ints(p.pointee.endids, p.pointee.n_endids),
                          strides: ints(p.pointee.strides, p.pointee.n_strides),
                          beginMask: repeated(p.pointee.beginmasks, p.pointee.n_beginmasks).map { $0 != 0 },
                          endMask: repeated(p.pointee.endmasks, p.pointee.n_endmasks).map { $0 != 0 })
        case CORE_ML__SPECIFICATION__NEURAL_NETWORK_LAYER__LAYER_LAYER_NORMALIZATION:
            let p = try need(l.pointee.layernormalization)
            let shape = ints(p.pointee.normalizedshape, p.pointee.n_normalizedshape), count = shape.reduce(1, *)
            kind = .layerNorm(shape: shape, epsilon: p.pointee.eps, gamma: try weights(p.pointee.gamma, count: count, "\(here) gamma"),
                              beta: try weights(p.pointee.beta, count: count, "\(here) beta"))
        case CORE_ML__SPECIFICATION__NEURAL_NETWORK_LAYER__LAYER_UNI_DIRECTIONAL_LSTM:
            let p = try need(l.pointee.unidirectionallstm)
            let activations = try repeated(p.pointee.activations, p.pointee.n_activations).map { try activation($0, here) }
            guard activations == [.sigmoid, .tanh, .tanh], p.pointee.reverseinput == 0 else {
                throw fail("\(here): only forward LSTMs with sigmoid, tanh, tanh activations are read")
            }
            let params = try need(p.pointee.params), w = try need(p.pointee.weightparams)
            guard params.pointee.haspeepholevectors == 0, params.pointee.coupledinputandforgetgate == 0, params.pointee.forgetbias == 0 else {
                throw fail("\(here): peepholes, coupled gates and forget bias are not read")
            }
            let input = Int(p.pointee.inputvectorsize), hidden = Int(p.pointee.outputvectorsize)
            let inputs = [w.pointee.inputgateweightmatrix, w.pointee.forgetgateweightmatrix, w.pointee.blockinputweightmatrix, w.pointee.outputgateweightmatrix]
            let recursions = [w.pointee.inputgaterecursionmatrix, w.pointee.forgetgaterecursionmatrix, w.pointee.blockinputrecursionmatrix, w.pointee.outputgaterecursionmatrix]
            let biases = [w.pointee.inputgatebiasvector, w.pointee.forgetgatebiasvector, w.pointee.blockinputbiasvector, w.pointee.outputgatebiasvector]
            kind = .lstm(NNLSTM(inputSize: input, hiddenSize: hidden,
                                inputWeights: try inputs.map { try weights($0, count: hidden * input, "\(here) gate weights") },
                                recursionWeights: try recursions.map { try weights($0, count: hidden * hidden, "\(here) recursion weights") },
                                biases: params.pointee.hasbiasvectors != 0 ? try biases.map { try weights($0, count: hidden, "\(here) biases") } : nil,
                                sequenceOutput: params.pointee.sequenceoutput != 0))
        case CORE_ML__SPECIFICATION__NEURAL_NETWORK_LAYER__LAYER_UPSAMPLE:
            let p = try need(l.pointee.upsample)
            guard p.pointee.n_fractionalscalingfactor == 0 else { throw fail("\(here): fractionalScalingFactor is not read (Ferry writes integer factors)") }
            let factors = ints(p.pointee.scalingfactor, p.pointee.n_scalingfactor)
            guard factors.isEmpty || factors.count == 2, factors.allSatisfy({ $0 >= 1 }) else { throw fail("\(here): scalingFactor \(factors)") }
            guard let mode = NNLinearUpsampleMode(rawValue: Int(p.pointee.linearupsamplemode.rawValue)) else {
                throw fail("\(here): linearUpsampleMode \(p.pointee.linearupsamplemode.rawValue) is not read")
            }
            kind = .upsample(NNUpsample(factors: factors.isEmpty ? [1, 1] : factors,
                                        bilinear: p.pointee.mode == CORE_ML__SPECIFICATION__UPSAMPLE_LAYER_PARAMS__INTERPOLATION_MODE__BILINEAR,
                                        linearMode: mode))
        case CORE_ML__SPECIFICATION__NEURAL_NETWORK_LAYER__LAYER_RESIZE_BILINEAR:
            let p = try need(l.pointee.resizebilinear)
            let size = ints(p.pointee.targetsize, p.pointee.n_targetsize)
            guard size.isEmpty || size.count == 2 else { throw fail("\(here): targetSize \(size)") }
            let method = Int(p.pointee.mode?.pointee.samplingmethod.rawValue ?? 0)
            guard let mode = NNSamplingMode(rawValue: method) else { throw fail("\(here): sampling method \(method) is not read") }
            kind = .resizeBilinear(targetSize: size.isEmpty ? [1, 1] : size, mode: mode)
        case CORE_ML__SPECIFICATION__NEURAL_NETWORK_LAYER__LAYER_PADDING:
            let p = try need(l.pointee.padding)
            let mode: NNPadding.Mode
            switch p.pointee.padding_type_case {
            case CORE_ML__SPECIFICATION__PADDING_LAYER_PARAMS__PADDING_TYPE_CONSTANT: mode = .constant(p.pointee.constant?.pointee.value ?? 0)
            case CORE_ML__SPECIFICATION__PADDING_LAYER_PARAMS__PADDING_TYPE_REFLECTION: mode = .reflection
            case CORE_ML__SPECIFICATION__PADDING_LAYER_PARAMS__PADDING_TYPE_REPLICATION: mode = .replication
            default: throw fail("\(here): the padding type is not set")
            }
            kind = .padding(NNPadding(mode: mode, pads: try pads(p.pointee.paddingamounts, here)))
        case CORE_ML__SPECIFICATION__NEURAL_NETWORK_LAYER__LAYER_CONSTANT_PAD:
            let p = try need(l.pointee.constantpad)
            guard p.pointee.padtogivenoutputsizemode == 0 else { throw fail("\(here): padToGivenOutputSizeMode is not read (Ferry writes amounts)") }
            kind = .constantPad(amounts: ints(p.pointee.padamounts, p.pointee.n_padamounts), value: p.pointee.value)
        default:
            throw fail("\(here): layer type \(l.pointee.layer_case.rawValue) is not read by Ferry")
        }
        return NNLayer(name: name, inputs: repeated(l.pointee.input, l.pointee.n_input).map { swiftString($0) },
                       outputs: repeated(l.pointee.output, l.pointee.n_output).map { swiftString($0) }, kind: kind)
    }
}
