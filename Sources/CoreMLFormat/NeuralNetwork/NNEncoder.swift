import CCoreML

/// Serializes a `NeuralNetworkSpec` through protobuf-c (Model.proto, NeuralNetwork.proto): a
/// self-contained `.mlmodel` with every weight inline, rank-N blobs (`EXACT_ARRAY_MAPPING`) and
/// rank-4 image inputs (`RANK4_IMAGE_MAPPING`), as spec 4 allows.
public struct NNEncoder {
    public init() {}

    public func encode(_ spec: NeuralNetworkSpec) -> [UInt8] {
        let arena = CArena()
        let model: UnsafeMutablePointer<CoreML__Specification__Model> = arena.message(core_ml__specification__model__init)
        model.pointee.specificationversion = spec.specificationVersion
        model.pointee.description = SpecEncoder().description(spec.description, arena)
        let layers = spec.layers.map { layer($0, arena) as UnsafeMutablePointer<CoreML__Specification__NeuralNetworkLayer>? }
        let preprocessing = spec.preprocessing.map { entry -> UnsafeMutablePointer<CoreML__Specification__NeuralNetworkPreprocessing>? in
            let p: UnsafeMutablePointer<CoreML__Specification__NeuralNetworkPreprocessing> = arena.message(core_ml__specification__neural_network_preprocessing__init)
            p.pointee.featurename = arena.string(entry.feature)
            let scaler: UnsafeMutablePointer<CoreML__Specification__NeuralNetworkImageScaler> = arena.message(core_ml__specification__neural_network_image_scaler__init)
            scaler.pointee.channelscale = entry.scaler.channelScale
            if entry.scaler.biases.count == 3 {
                scaler.pointee.redbias = entry.scaler.biases[0]
                scaler.pointee.greenbias = entry.scaler.biases[1]
                scaler.pointee.bluebias = entry.scaler.biases[2]
            } else {
                scaler.pointee.graybias = entry.scaler.biases.first ?? 0
            }
            p.pointee.preprocessor_case = CORE_ML__SPECIFICATION__NEURAL_NETWORK_PREPROCESSING__PREPROCESSOR_SCALER
            p.pointee.scaler = scaler
            return p
        }
        let exact = CORE_ML__SPECIFICATION__NEURAL_NETWORK_MULTI_ARRAY_SHAPE_MAPPING__EXACT_ARRAY_MAPPING
        let rank4 = CORE_ML__SPECIFICATION__NEURAL_NETWORK_IMAGE_SHAPE_MAPPING__RANK4_IMAGE_MAPPING
        if let labels = spec.classLabels {
            let classifier: UnsafeMutablePointer<CoreML__Specification__NeuralNetworkClassifier> = arena.message(core_ml__specification__neural_network_classifier__init)
            classifier.pointee.n_layers = layers.count
            classifier.pointee.layers = arena.array(layers)
            classifier.pointee.n_preprocessing = preprocessing.count
            classifier.pointee.preprocessing = arena.array(preprocessing)
            classifier.pointee.arrayinputshapemapping = exact
            classifier.pointee.imageinputshapemapping = rank4
            classifier.pointee.labelprobabilitylayername = arena.string(spec.probabilityBlob)
            let vector: UnsafeMutablePointer<CoreML__Specification__StringVector> = arena.message(core_ml__specification__string_vector__init)
            vector.pointee.n_vector = labels.count
            vector.pointee.vector = arena.array(labels.map { arena.string($0) as UnsafeMutablePointer<CChar>? })
            classifier.pointee.class_labels_case = CORE_ML__SPECIFICATION__NEURAL_NETWORK_CLASSIFIER__CLASS_LABELS_STRING_CLASS_LABELS
            classifier.pointee.stringclasslabels = vector
            model.pointee.type_case = CORE_ML__SPECIFICATION__MODEL__TYPE_NEURAL_NETWORK_CLASSIFIER
            model.pointee.neuralnetworkclassifier = classifier
        } else {
            let network: UnsafeMutablePointer<CoreML__Specification__NeuralNetwork> = arena.message(core_ml__specification__neural_network__init)
            network.pointee.n_layers = layers.count
            network.pointee.layers = arena.array(layers)
            network.pointee.n_preprocessing = preprocessing.count
            network.pointee.preprocessing = arena.array(preprocessing)
            network.pointee.arrayinputshapemapping = exact
            network.pointee.imageinputshapemapping = rank4
            model.pointee.type_case = CORE_ML__SPECIFICATION__MODEL__TYPE_NEURAL_NETWORK
            model.pointee.neuralnetwork = network
        }
        var bytes = [UInt8](repeating: 0, count: core_ml__specification__model__get_packed_size(model))
        let written = bytes.withUnsafeMutableBufferPointer { core_ml__specification__model__pack(model, $0.baseAddress) }
        precondition(written == bytes.count, "protobuf-c packed \(written) of \(bytes.count) bytes")
        return bytes
    }

    private func strings(_ values: [String], _ arena: CArena) -> UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? {
        arena.array(values.map { arena.string($0) as UnsafeMutablePointer<CChar>? })
    }

    func weights(_ weights: NNWeights, _ arena: CArena) -> UnsafeMutablePointer<CoreML__Specification__WeightParams> {
        let result: UnsafeMutablePointer<CoreML__Specification__WeightParams> = arena.message(core_ml__specification__weight_params__init)
        switch weights {
        case .float32(let values):
            result.pointee.n_floatvalue = values.count
            result.pointee.floatvalue = arena.array(values)
        case .float16(let values):
            result.pointee.float16value = values.withUnsafeBytes { arena.binary($0) }
        case .linear(let bits, let values, let scale, let bias):
            let raw = bits == 8 ? values : NNWeights.pack(values.map { Int($0) }, bits: bits)
            result.pointee.rawvalue = raw.withUnsafeBytes { arena.binary($0) }
            let linear: UnsafeMutablePointer<CoreML__Specification__LinearQuantizationParams> = arena.message(core_ml__specification__linear_quantization_params__init)
            linear.pointee.n_scale = scale.count
            linear.pointee.scale = arena.array(scale)
            linear.pointee.n_bias = bias.count
            linear.pointee.bias = arena.array(bias)
            let q: UnsafeMutablePointer<CoreML__Specification__QuantizationParams> = arena.message(core_ml__specification__quantization_params__init)
            q.pointee.numberofbits = UInt64(bits)
            q.pointee.quantization_type_case = CORE_ML__SPECIFICATION__QUANTIZATION_PARAMS__QUANTIZATION_TYPE_LINEAR_QUANTIZATION
            q.pointee.linearquantization = linear
            result.pointee.quantization = q
        case .lookupTable(let bits, let indices, let table):
            result.pointee.rawvalue = NNWeights.pack(indices, bits: bits).withUnsafeBytes { arena.binary($0) }
            let lut: UnsafeMutablePointer<CoreML__Specification__LookUpTableQuantizationParams> = arena.message(core_ml__specification__look_up_table_quantization_params__init)
            lut.pointee.n_floatvalue = table.count
            lut.pointee.floatvalue = arena.array(table)
            let q: UnsafeMutablePointer<CoreML__Specification__QuantizationParams> = arena.message(core_ml__specification__quantization_params__init)
            q.pointee.numberofbits = UInt64(bits)
            q.pointee.quantization_type_case = CORE_ML__SPECIFICATION__QUANTIZATION_PARAMS__QUANTIZATION_TYPE_LOOKUP_TABLE_QUANTIZATION
            q.pointee.lookuptablequantization = lut
            result.pointee.quantization = q
        }
        return result
    }

    private func u64(_ values: [Int], _ arena: CArena) -> UnsafeMutablePointer<UInt64>? { arena.array(values.map { UInt64($0) }) }
    private func i64(_ values: [Int], _ arena: CArena) -> UnsafeMutablePointer<Int64>? { arena.array(values.map { Int64($0) }) }

    /// `[top, left, bottom, right]` as `ValidPadding.paddingAmounts` ([H, W] edge sizes).
    private func validPadding(_ pads: [Int], _ arena: CArena) -> UnsafeMutablePointer<CoreML__Specification__ValidPadding> {
        let valid: UnsafeMutablePointer<CoreML__Specification__ValidPadding> = arena.message(core_ml__specification__valid_padding__init)
        valid.pointee.paddingamounts = borderAmounts(pads, arena)
        return valid
    }

    /// `[top, left, bottom, right]` as `BorderAmounts` ([H, W] edge sizes).
    private func borderAmounts(_ pads: [Int], _ arena: CArena) -> UnsafeMutablePointer<CoreML__Specification__BorderAmounts> {
        let border: UnsafeMutablePointer<CoreML__Specification__BorderAmounts> = arena.message(core_ml__specification__border_amounts__init)
        let edges = [(pads[0], pads[2]), (pads[1], pads[3])].map { start, end -> UnsafeMutablePointer<CoreML__Specification__BorderAmounts__EdgeSizes>? in
            let edge: UnsafeMutablePointer<CoreML__Specification__BorderAmounts__EdgeSizes> = arena.message(core_ml__specification__border_amounts__edge_sizes__init)
            edge.pointee.startedgesize = UInt64(start)
            edge.pointee.endedgesize = UInt64(end)
            return edge
        }
        border.pointee.n_borderamounts = 2
        border.pointee.borderamounts = arena.array(edges)
        return border
    }

    private func activation(_ kind: NNActivation, _ arena: CArena) -> UnsafeMutablePointer<CoreML__Specification__ActivationParams> {
        let params: UnsafeMutablePointer<CoreML__Specification__ActivationParams> = arena.message(core_ml__specification__activation_params__init)
        switch kind {
        case .relu:
            params.pointee.nonlinearity_type_case = CORE_ML__SPECIFICATION__ACTIVATION_PARAMS__NONLINEARITY_TYPE_RE_LU
            params.pointee.relu = arena.message(core_ml__specification__activation_re_lu__init)
        case .sigmoid:
            params.pointee.nonlinearity_type_case = CORE_ML__SPECIFICATION__ACTIVATION_PARAMS__NONLINEARITY_TYPE_SIGMOID
            params.pointee.sigmoid = arena.message(core_ml__specification__activation_sigmoid__init)
        case .tanh:
            params.pointee.nonlinearity_type_case = CORE_ML__SPECIFICATION__ACTIVATION_PARAMS__NONLINEARITY_TYPE_TANH
            params.pointee.tanh = arena.message(core_ml__specification__activation_tanh__init)
        case .leakyRelu(let alpha):
            let p: UnsafeMutablePointer<CoreML__Specification__ActivationLeakyReLU> = arena.message(core_ml__specification__activation_leaky_re_lu__init)
            p.pointee.alpha = alpha
            params.pointee.nonlinearity_type_case = CORE_ML__SPECIFICATION__ACTIVATION_PARAMS__NONLINEARITY_TYPE_LEAKY_RE_LU
            params.pointee.leakyrelu = p
        case .elu(let alpha):
            let p: UnsafeMutablePointer<CoreML__Specification__ActivationELU> = arena.message(core_ml__specification__activation_elu__init)
            p.pointee.alpha = alpha
            params.pointee.nonlinearity_type_case = CORE_ML__SPECIFICATION__ACTIVATION_PARAMS__NONLINEARITY_TYPE_ELU
            params.pointee.elu = p
        case .hardSigmoid(let alpha, let beta):
            let p: UnsafeMutablePointer<CoreML__Specification__ActivationSigmoidHard> = arena.message(core_ml__specification__activation_sigmoid_hard__init)
            p.pointee.alpha = alpha
            p.pointee.beta = beta
            params.pointee.nonlinearity_type_case = CORE_ML__SPECIFICATION__ACTIVATION_PARAMS__NONLINEARITY_TYPE_SIGMOID_HARD
            params.pointee.sigmoidhard = p
        case .linear(let alpha, let beta):
            let p: UnsafeMutablePointer<CoreML__Specification__ActivationLinear> = arena.message(core_ml__specification__activation_linear__init)
            p.pointee.alpha = alpha
            p.pointee.beta = beta
            params.pointee.nonlinearity_type_case = CORE_ML__SPECIFICATION__ACTIVATION_PARAMS__NONLINEARITY_TYPE_LINEAR
            params.pointee.linear = p
        }
        return params
    }

    // swiftlint:disable:next function_body_length
    private func layer(_ layer: NNLayer, _ arena: CArena) -> UnsafeMutablePointer<CoreML__Specification__NeuralNetworkLayer> {
        let l: UnsafeMutablePointer<CoreML__Specification__NeuralNetworkLayer> = arena.message(core_ml__specification__neural_network_layer__init)
        l.pointee.name = arena.string(layer.name)
        l.pointee.n_input = layer.inputs.count
        l.pointee.input = strings(layer.inputs, arena)
        l.pointee.n_output = layer.outputs.count
        l.pointee.output = strings(layer.outputs, arena)
        func set<T>(_ c: CoreML__Specification__NeuralNetworkLayer__LayerCase, _ initializer: (UnsafeMutablePointer<T>) -> Void,
                    _ field: WritableKeyPath<CoreML__Specification__NeuralNetworkLayer, UnsafeMutablePointer<T>?>,
                    _ fill: (UnsafeMutablePointer<T>) -> Void = { _ in }) {
            let params: UnsafeMutablePointer<T> = arena.message(initializer)
            fill(params)
            l.pointee.layer_case = c
            l.pointee[keyPath: field] = params
        }
        switch layer.kind {
        case .convolution(let c):
            set(CORE_ML__SPECIFICATION__NEURAL_NETWORK_LAYER__LAYER_CONVOLUTION, core_ml__specification__convolution_layer_params__init, \.convolution) { p in
                p.pointee.outputchannels = UInt64(c.outputChannels)
                p.pointee.kernelchannels = UInt64(c.kernelChannels)
                p.pointee.ngroups = UInt64(c.groups)
                p.pointee.n_kernelsize = 2; p.pointee.kernelsize = u64(c.kernel, arena)
                p.pointee.n_stride = 2; p.pointee.stride = u64(c.stride, arena)
                p.pointee.n_dilationfactor = 2; p.pointee.dilationfactor = u64(c.dilation, arena)
                p.pointee.isdeconvolution = c.isDeconvolution ? 1 : 0
                p.pointee.n_outputshape = c.outputShape.count; p.pointee.outputshape = u64(c.outputShape, arena)
                p.pointee.hasbias = c.bias != nil ? 1 : 0
                p.pointee.weights = weights(c.weights, arena)
                p.pointee.bias = c.bias.map { weights($0, arena) }
                p.pointee.convolution_padding_type_case = CORE_ML__SPECIFICATION__CONVOLUTION_LAYER_PARAMS__CONVOLUTION_PADDING_TYPE_VALID
                p.pointee.valid = validPadding(c.pads, arena)
            }
        case .pooling(let pool):
            set(CORE_ML__SPECIFICATION__NEURAL_NETWORK_LAYER__LAYER_POOLING, core_ml__specification__pooling_layer_params__init, \.pooling) { p in
                p.pointee.type = pool.isMax ? CORE_ML__SPECIFICATION__POOLING_LAYER_PARAMS__POOLING_TYPE__MAX : CORE_ML__SPECIFICATION__POOLING_LAYER_PARAMS__POOLING_TYPE__AVERAGE
                p.pointee.n_kernelsize = 2; p.pointee.kernelsize = u64(pool.kernel, arena)
                p.pointee.n_stride = 2; p.pointee.stride = u64(pool.stride, arena)
                p.pointee.avgpoolexcludepadding = pool.excludePadding ? 1 : 0
                p.pointee.globalpooling = pool.global ? 1 : 0
                p.pointee.pooling_padding_type_case = CORE_ML__SPECIFICATION__POOLING_LAYER_PARAMS__POOLING_PADDING_TYPE_VALID
                p.pointee.valid = validPadding(pool.pads, arena)
            }
        case .activation(let kind):
            l.pointee.layer_case = CORE_ML__SPECIFICATION__NEURAL_NETWORK_LAYER__LAYER_ACTIVATION
            l.pointee.activation = activation(kind, arena)
        case .batchedMatMul(let w, let b, let inputSize, let outputSize, let transposeA, let transposeB):
            set(CORE_ML__SPECIFICATION__NEURAL_NETWORK_LAYER__LAYER_BATCHED_MATMUL, core_ml__specification__batched_mat_mul_layer_params__init, \.batchedmatmul) { p in
                p.pointee.transposea = transposeA ? 1 : 0
                p.pointee.transposeb = transposeB ? 1 : 0
                if let w {
                    p.pointee.weightmatrixfirstdimension = UInt64(inputSize)
                    p.pointee.weightmatrixseconddimension = UInt64(outputSize)
                    p.pointee.weights = weights(w, arena)
                }
                p.pointee.hasbias = b != nil ? 1 : 0
                p.pointee.bias = b.map { weights($0, arena) }
            }
        case .batchnorm(let channels, let gamma, let beta, let mean, let variance, let epsilon):
            set(CORE_ML__SPECIFICATION__NEURAL_NETWORK_LAYER__LAYER_BATCHNORM, core_ml__specification__batchnorm_layer_params__init, \.batchnorm) { p in
                p.pointee.channels = UInt64(channels)
                p.pointee.epsilon = epsilon
                p.pointee.gamma = weights(gamma, arena)
                p.pointee.beta = weights(beta, arena)
                p.pointee.mean = weights(mean, arena)
                p.pointee.variance = weights(variance, arena)
            }
        case .binary(let op):
            switch op {
            case .add: set(CORE_ML__SPECIFICATION__NEURAL_NETWORK_LAYER__LAYER_ADD_BROADCASTABLE, core_ml__specification__add_broadcastable_layer_params__init, \.addbroadcastable)
            case .subtract: set(CORE_ML__SPECIFICATION__NEURAL_NETWORK_LAYER__LAYER_SUBTRACT_BROADCASTABLE, core_ml__specification__subtract_broadcastable_layer_params__init, \.subtractbroadcastable)
            case .multiply: set(CORE_ML__SPECIFICATION__NEURAL_NETWORK_LAYER__LAYER_MULTIPLY_BROADCASTABLE, core_ml__specification__multiply_broadcastable_layer_params__init, \.multiplybroadcastable)
            case .divide: set(CORE_ML__SPECIFICATION__NEURAL_NETWORK_LAYER__LAYER_DIVIDE_BROADCASTABLE, core_ml__specification__divide_broadcastable_layer_params__init, \.dividebroadcastable)
            case .max: set(CORE_ML__SPECIFICATION__NEURAL_NETWORK_LAYER__LAYER_MAX_BROADCASTABLE, core_ml__specification__max_broadcastable_layer_params__init, \.maxbroadcastable)
            case .min: set(CORE_ML__SPECIFICATION__NEURAL_NETWORK_LAYER__LAYER_MIN_BROADCASTABLE, core_ml__specification__min_broadcastable_layer_params__init, \.minbroadcastable)
            case .pow: set(CORE_ML__SPECIFICATION__NEURAL_NETWORK_LAYER__LAYER_POW_BROADCASTABLE, core_ml__specification__pow_broadcastable_layer_params__init, \.powbroadcastable)
            }
        case .unary(let op):
            func function(_ operation: CoreML__Specification__UnaryFunctionLayerParams__Operation) {
                set(CORE_ML__SPECIFICATION__NEURAL_NETWORK_LAYER__LAYER_UNARY, core_ml__specification__unary_function_layer_params__init, \.unary) { p in
                    p.pointee.type = operation
                    p.pointee.scale = 1
                }
            }
            switch op {
            case .sqrt: function(CORE_ML__SPECIFICATION__UNARY_FUNCTION_LAYER_PARAMS__OPERATION__SQRT)
            case .exp: function(CORE_ML__SPECIFICATION__UNARY_FUNCTION_LAYER_PARAMS__OPERATION__EXP)
            case .log: function(CORE_ML__SPECIFICATION__UNARY_FUNCTION_LAYER_PARAMS__OPERATION__LOG)
            case .abs: function(CORE_ML__SPECIFICATION__UNARY_FUNCTION_LAYER_PARAMS__OPERATION__ABS)
            case .ceil: set(CORE_ML__SPECIFICATION__NEURAL_NETWORK_LAYER__LAYER_CEIL, core_ml__specification__ceil_layer_params__init, \.ceil)
            case .floor: set(CORE_ML__SPECIFICATION__NEURAL_NETWORK_LAYER__LAYER_FLOOR, core_ml__specification__floor_layer_params__init, \.floor)
            case .sin: set(CORE_ML__SPECIFICATION__NEURAL_NETWORK_LAYER__LAYER_SIN, core_ml__specification__sin_layer_params__init, \.sin)
            case .cos: set(CORE_ML__SPECIFICATION__NEURAL_NETWORK_LAYER__LAYER_COS, core_ml__specification__cos_layer_params__init, \.cos)
            case .erf: set(CORE_ML__SPECIFICATION__NEURAL_NETWORK_LAYER__LAYER_ERF, core_ml__specification__erf_layer_params__init, \.erf)
            }
        case .gelu(let exact):
            set(CORE_ML__SPECIFICATION__NEURAL_NETWORK_LAYER__LAYER_GELU, core_ml__specification__gelu_layer_params__init, \.gelu) { p in
                p.pointee.mode = exact ? CORE_ML__SPECIFICATION__GELU_LAYER_PARAMS__GELU_MODE__EXACT : CORE_ML__SPECIFICATION__GELU_LAYER_PARAMS__GELU_MODE__TANH_APPROXIMATION
            }
        case .clip(let minimum, let maximum):
            set(CORE_ML__SPECIFICATION__NEURAL_NETWORK_LAYER__LAYER_CLIP, core_ml__specification__clip_layer_params__init, \.clip) { p in
                p.pointee.minval = minimum
                p.pointee.maxval = maximum
            }
        case .loadConstant(let shape, let data):
            set(CORE_ML__SPECIFICATION__NEURAL_NETWORK_LAYER__LAYER_LOAD_CONSTANT_ND, core_ml__specification__load_constant_ndlayer_params__init, \.loadconstantnd) { p in
                p.pointee.n_shape = shape.count
                p.pointee.shape = u64(shape, arena)
                p.pointee.data = weights(data, arena)
            }
        case .reduce(let op, let axes, let keepDims):
            func fill<T: NNReduceParams>(_ c: CoreML__Specification__NeuralNetworkLayer__LayerCase, _ initializer: (UnsafeMutablePointer<T>) -> Void,
                                         _ field: WritableKeyPath<CoreML__Specification__NeuralNetworkLayer, UnsafeMutablePointer<T>?>) {
                set(c, initializer, field) { p in
                    p.pointee.n_axes = axes.count
                    p.pointee.axes = i64(axes, arena)
                    p.pointee.keepdims = keepDims ? 1 : 0
                }
            }
            switch op {
            case .sum: fill(CORE_ML__SPECIFICATION__NEURAL_NETWORK_LAYER__LAYER_REDUCE_SUM, core_ml__specification__reduce_sum_layer_params__init, \.reducesum)
            case .mean: fill(CORE_ML__SPECIFICATION__NEURAL_NETWORK_LAYER__LAYER_REDUCE_MEAN, core_ml__specification__reduce_mean_layer_params__init, \.reducemean)
            case .max: fill(CORE_ML__SPECIFICATION__NEURAL_NETWORK_LAYER__LAYER_REDUCE_MAX, core_ml__specification__reduce_max_layer_params__init, \.reducemax)
            case .min: fill(CORE_ML__SPECIFICATION__NEURAL_NETWORK_LAYER__LAYER_REDUCE_MIN, core_ml__specification__reduce_min_layer_params__init, \.reducemin)
            case .prod: fill(CORE_ML__SPECIFICATION__NEURAL_NETWORK_LAYER__LAYER_REDUCE_PROD, core_ml__specification__reduce_prod_layer_params__init, \.reduceprod)
            }
        case .argMax(let axis, let removeDim):
            set(CORE_ML__SPECIFICATION__NEURAL_NETWORK_LAYER__LAYER_ARG_MAX, core_ml__specification__arg_max_layer_params__init, \.argmax) { p in
                p.pointee.axis = Int64(axis)
                p.pointee.removedim = removeDim ? 1 : 0
            }
        case .argMin(let axis, let removeDim):
            set(CORE_ML__SPECIFICATION__NEURAL_NETWORK_LAYER__LAYER_ARG_MIN, core_ml__specification__arg_min_layer_params__init, \.argmin) { p in
                p.pointee.axis = Int64(axis)
                p.pointee.removedim = removeDim ? 1 : 0
            }
        case .reshape(let shape):
            set(CORE_ML__SPECIFICATION__NEURAL_NETWORK_LAYER__LAYER_RESHAPE_STATIC, core_ml__specification__reshape_static_layer_params__init, \.reshapestatic) { p in
                p.pointee.n_targetshape = shape.count
                p.pointee.targetshape = i64(shape, arena)
            }
        case .transpose(let axes):
            set(CORE_ML__SPECIFICATION__NEURAL_NETWORK_LAYER__LAYER_TRANSPOSE, core_ml__specification__transpose_layer_params__init, \.transpose) { p in
                p.pointee.n_axes = axes.count
                p.pointee.axes = u64(axes, arena)
            }
        case .concat(let axis):
            set(CORE_ML__SPECIFICATION__NEURAL_NETWORK_LAYER__LAYER_CONCAT_ND, core_ml__specification__concat_ndlayer_params__init, \.concatnd) { p in
                p.pointee.axis = Int64(axis)
            }
        case .softmax(let axis):
            set(CORE_ML__SPECIFICATION__NEURAL_NETWORK_LAYER__LAYER_SOFTMAX_ND, core_ml__specification__softmax_ndlayer_params__init, \.softmaxnd) { p in
                p.pointee.axis = Int64(axis)
            }
        case .gather(let axis):
            set(CORE_ML__SPECIFICATION__NEURAL_NETWORK_LAYER__LAYER_GATHER, core_ml__specification__gather_layer_params__init, \.gather) { p in
                p.pointee.axis = Int64(axis)
            }
        case .slice(let begin, let end, let strides, let beginMask, let endMask):
            set(CORE_ML__SPECIFICATION__NEURAL_NETWORK_LAYER__LAYER_SLICE_STATIC, core_ml__specification__slice_static_layer_params__init, \.slicestatic) { p in
                p.pointee.n_beginids = begin.count; p.pointee.beginids = i64(begin, arena)
                p.pointee.n_endids = end.count; p.pointee.endids = i64(end, arena)
                p.pointee.n_strides = strides.count; p.pointee.strides = i64(strides, arena)
                p.pointee.n_beginmasks = beginMask.count; p.pointee.beginmasks = arena.array(beginMask.map { $0 ? 1 : 0 })
                p.pointee.n_endmasks = endMask.count; p.pointee.endmasks = arena.array(endMask.map { $0 ? 1 : 0 })
            }
        case .layerNorm(let shape, let epsilon, let gamma, let beta):
            set(CORE_ML__SPECIFICATION__NEURAL_NETWORK_LAYER__LAYER_LAYER_NORMALIZATION, core_ml__specification__layer_normalization_layer_params__init, \.layernormalization) { p in
                p.pointee.n_normalizedshape = shape.count
                p.pointee.normalizedshape = i64(shape, arena)
                p.pointee.eps = epsilon
                p.pointee.gamma = weights(gamma, arena)
                p.pointee.beta = weights(beta, arena)
            }
        case .lstm(let lstm):
            set(CORE_ML__SPECIFICATION__NEURAL_NETWORK_LAYER__LAYER_UNI_DIRECTIONAL_LSTM, core_ml__specification__uni_directional_lstmlayer_params__init, \.unidirectionallstm) { p in
                p.pointee.inputvectorsize = UInt64(lstm.inputSize)
                p.pointee.outputvectorsize = UInt64(lstm.hiddenSize)
                let activations = [NNActivation.sigmoid, .tanh, .tanh].map { activation($0, arena) as UnsafeMutablePointer<CoreML__Specification__ActivationParams>? }
                p.pointee.n_activations = 3
                p.pointee.activations = arena.array(activations)
                let params: UnsafeMutablePointer<CoreML__Specification__LSTMParams> = arena.message(core_ml__specification__lstmparams__init)
                params.pointee.sequenceoutput = lstm.sequenceOutput ? 1 : 0
                params.pointee.hasbiasvectors = lstm.biases != nil ? 1 : 0
                params.pointee.cellclipthreshold = 50
                p.pointee.params = params
                let w: UnsafeMutablePointer<CoreML__Specification__LSTMWeightParams> = arena.message(core_ml__specification__lstmweight_params__init)
                let input = lstm.inputWeights.map { weights($0, arena) }, recursion = lstm.recursionWeights.map { weights($0, arena) }
                w.pointee.inputgateweightmatrix = input[0]; w.pointee.forgetgateweightmatrix = input[1]
                w.pointee.blockinputweightmatrix = input[2]; w.pointee.outputgateweightmatrix = input[3]
                w.pointee.inputgaterecursionmatrix = recursion[0]; w.pointee.forgetgaterecursionmatrix = recursion[1]
                w.pointee.blockinputrecursionmatrix = recursion[2]; w.pointee.outputgaterecursionmatrix = recursion[3]
                if let biases = lstm.biases?.map({ weights($0, arena) }) {
                    w.pointee.inputgatebiasvector = biases[0]; w.pointee.forgetgatebiasvector = biases[1]
                    w.pointee.blockinputbiasvector = biases[2]; w.pointee.outputgatebiasvector = biases[3]
                }
                p.pointee.weightparams = w
            }
        case .upsample(let u):
            set(CORE_ML__SPECIFICATION__NEURAL_NETWORK_LAYER__LAYER_UPSAMPLE, core_ml__specification__upsample_layer_params__init, \.upsample) { p in
                p.pointee.n_scalingfactor = u.factors.count
                p.pointee.scalingfactor = u64(u.factors, arena)
                p.pointee.mode = u.bilinear ? CORE_ML__SPECIFICATION__UPSAMPLE_LAYER_PARAMS__INTERPOLATION_MODE__BILINEAR
                    : CORE_ML__SPECIFICATION__UPSAMPLE_LAYER_PARAMS__INTERPOLATION_MODE__NN
                p.pointee.linearupsamplemode = CoreML__Specification__UpsampleLayerParams__LinearUpsampleMode(rawValue: UInt32(u.linearMode.rawValue))
            }
        case .resizeBilinear(let size, let mode):
            set(CORE_ML__SPECIFICATION__NEURAL_NETWORK_LAYER__LAYER_RESIZE_BILINEAR, core_ml__specification__resize_bilinear_layer_params__init, \.resizebilinear) { p in
                p.pointee.n_targetsize = size.count
                p.pointee.targetsize = u64(size, arena)
                let sampling: UnsafeMutablePointer<CoreML__Specification__SamplingMode> = arena.message(core_ml__specification__sampling_mode__init)
                sampling.pointee.samplingmethod = CoreML__Specification__SamplingMode__Method(rawValue: UInt32(mode.rawValue))
                p.pointee.mode = sampling
            }
        case .padding(let padding):
            set(CORE_ML__SPECIFICATION__NEURAL_NETWORK_LAYER__LAYER_PADDING, core_ml__specification__padding_layer_params__init, \.padding) { p in
                p.pointee.paddingamounts = borderAmounts(padding.pads, arena)
                switch padding.mode {
                case .constant(let value):
                    let c: UnsafeMutablePointer<CoreML__Specification__PaddingLayerParams__PaddingConstant> =
                        arena.message(core_ml__specification__padding_layer_params__padding_constant__init)
                    c.pointee.value = value
                    p.pointee.padding_type_case = CORE_ML__SPECIFICATION__PADDING_LAYER_PARAMS__PADDING_TYPE_CONSTANT
                    p.pointee.constant = c
                case .reflection:
                    p.pointee.padding_type_case = CORE_ML__SPECIFICATION__PADDING_LAYER_PARAMS__PADDING_TYPE_REFLECTION
                    p.pointee.reflection = arena.message(core_ml__specification__padding_layer_params__padding_reflection__init)
                case .replication:
                    p.pointee.padding_type_case = CORE_ML__SPECIFICATION__PADDING_LAYER_PARAMS__PADDING_TYPE_REPLICATION
                    p.pointee.replication = arena.message(core_ml__specification__padding_layer_params__padding_replication__init)
                }
            }
        case .constantPad(let amounts, let value):
            set(CORE_ML__SPECIFICATION__NEURAL_NETWORK_LAYER__LAYER_CONSTANT_PAD, core_ml__specification__constant_padding_layer_params__init, \.constantpad) { p in
                p.pointee.value = value
                p.pointee.n_padamounts = amounts.count
                p.pointee.padamounts = u64(amounts, arena)
            }
        }
        return l
    }
}

/// The fields every `Reduce…LayerParams` message has, so one encoder and decoder serve them all.
protocol NNReduceParams {
    var n_axes: Int { get set }
    var axes: UnsafeMutablePointer<Int64>! { get set }
    var keepdims: protobuf_c_boolean { get set }
}

extension CoreML__Specification__ReduceSumLayerParams: NNReduceParams {}
extension CoreML__Specification__ReduceMeanLayerParams: NNReduceParams {}
extension CoreML__Specification__ReduceMaxLayerParams: NNReduceParams {}
extension CoreML__Specification__ReduceMinLayerParams: NNReduceParams {}
extension CoreML__Specification__ReduceProdLayerParams: NNReduceParams {}
