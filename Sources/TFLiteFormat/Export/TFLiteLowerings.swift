import FerryIR

/// Every ONNX op the exporter maps, read top to bottom: op name → how it becomes TFLite builtins.
/// An op missing here is an export error naming the node, never a silently wrong model.
enum TFLiteLowerings {
    typealias Lowering = @Sendable (TFLiteEmitter, Int, Node) throws -> Void

    static let table: [String: Lowering] = [
        "Abs": { e, _, n in try e.lowerUnary(n, .abs, .empty(.abs)) },
        "Add": { e, _, n in try e.lowerBinary(n, .add, options: { .add(activation: $0) }) },
        "ArgMax": { e, _, n in try e.lowerArgExtreme(n, max: true) },
        "ArgMin": { e, _, n in try e.lowerArgExtreme(n, max: false) },
        "AveragePool": { e, _, n in try e.lowerPool(n, max: false) },
        "BatchNormalization": { e, _, n in try e.lowerBatchNormalization(n) },
        "Cast": { e, _, n in try e.lowerCast(n) },
        "Ceil": { e, _, n in try e.lowerUnary(n, .ceil) },
        "Clip": { e, _, n in try e.lowerClip(n) },
        "Concat": { e, _, n in try e.lowerConcat(n) },
        "Conv": { e, i, n in e.isQuantized(n.inputs[0]) ? try e.lowerQuantizedConv(n) : try e.lowerConv(i, n) },
        "ConvTranspose": { e, _, n in try e.lowerConvTranspose(n) },
        "Cos": { e, _, n in try e.lowerUnary(n, .cos, .empty(.cos)) },
        "DepthToSpace": { e, _, n in try e.lowerDepthSpace(n, toSpace: true) },
        "Div": { e, _, n in try e.lowerBinary(n, .div, options: { .div(activation: $0) }) },
        "Dropout": { e, _, n in try e.lowerIdentity(n) },
        "Elu": { e, _, n in try e.lowerElu(n) },
        "Exp": { e, _, n in try e.lowerUnary(n, .exp, .empty(.exp)) },
        "Flatten": { e, _, n in try e.lowerReshape(n) },
        "Floor": { e, _, n in try e.lowerUnary(n, .floor) },
        "Gather": { e, _, n in try e.lowerGather(n) },
        "Gelu": { e, _, n in try e.lowerGelu(n) },
        "DequantizeLinear": { e, _, n in try e.lowerDequantize(n) },
        "Gemm": { e, _, n in e.isQuantizedFullyConnected(n) ? try e.lowerQuantizedFullyConnected(n) : try e.lowerGemm(n) },
        "GlobalAveragePool": { e, _, n in try e.lowerGlobalPool(n, .mean) },
        "GlobalMaxPool": { e, _, n in try e.lowerGlobalPool(n, .reduceMax) },
        "HardSigmoid": { e, _, n in try e.lowerHardSigmoid(n) },
        "HardSwish": { e, _, n in try e.lowerUnary(n, .hardSwish, .empty(.hardSwish)) },
        "Identity": { e, _, n in try e.lowerIdentity(n) },
        "LayerNormalization": { e, _, n in try e.lowerLayerNormalization(n) },
        "LeakyRelu": { e, _, n in try e.lowerLeakyRelu(n) },
        "Log": { e, _, n in try e.lowerUnary(n, .log) },
        "LSTM": { e, _, n in try e.lowerLSTM(n) },
        "LogSoftmax": { e, _, n in try e.lowerSoftmax(n, log: true) },
        "MatMul": { e, _, n in e.isQuantizedFullyConnected(n) ? try e.lowerQuantizedFullyConnected(n) : try e.lowerMatMul(n) },
        "Max": { e, _, n in try e.lowerVariadic(n, .maximum, .empty(.maximumMinimum)) },
        "MaxPool": { e, _, n in try e.lowerPool(n, max: true) },
        "Min": { e, _, n in try e.lowerVariadic(n, .minimum, .empty(.maximumMinimum)) },
        "Mul": { e, _, n in try e.lowerBinary(n, .mul, options: { .mul(activation: $0) }) },
        "Neg": { e, _, n in try e.lowerUnary(n, .neg, .empty(.neg)) },
        "Pad": { e, _, n in try e.lowerPad(n) },
        "Pow": { e, _, n in
            // x² is MUL(x, x): the same correctly rounded value, and a kernel TFLM has (it has no POW).
            if let exponent = e.constants[n.inputs[1]], exponent.count == 1, exponent.dataType.isFloatingPoint,
               exponent.doubles().first == 2, e.constants[n.inputs[0]] == nil {
                try e.lowerBinary(n, .mul, inputs: [n.inputs[0], n.inputs[0]], options: { .mul(activation: $0) })
            } else {
                try e.lowerBinary(n, .pow, fixedOptions: .empty(.pow))
            }
        },
        "PRelu": { e, _, n in try e.lowerPRelu(n) },
        "Reciprocal": { e, _, n in try e.lowerReciprocal(n) },
        "QuantizeLinear": { e, _, n in try e.lowerQuantize(n) },
        "ReduceMax": { e, _, n in try e.lowerReduce(n, .reduceMax) },
        "ReduceMean": { e, _, n in try e.lowerReduce(n, .mean) },
        "ReduceMin": { e, _, n in try e.lowerReduce(n, .reduceMin) },
        "ReduceProd": { e, _, n in try e.lowerReduce(n, .reduceProd) },
        "ReduceSum": { e, _, n in try e.lowerReduce(n, .sum) },
        "Relu": { e, _, n in try e.lowerUnary(n, .relu) },
        "Reshape": { e, _, n in try e.lowerReshape(n) },
        "Resize": { e, _, n in try e.lowerResize(n) },
        "Sigmoid": { e, _, n in try e.lowerUnary(n, .logistic) },
        "Sin": { e, _, n in try e.lowerUnary(n, .sin) },
        "Slice": { e, _, n in try e.lowerSlice(n) },
        "Softmax": { e, _, n in try e.lowerSoftmax(n, log: false) },
        "SpaceToDepth": { e, _, n in try e.lowerDepthSpace(n, toSpace: false) },
        "Split": { e, _, n in try e.lowerSplit(n) },
        "Sqrt": { e, _, n in try e.lowerUnary(n, .sqrt) },
        "Squeeze": { e, _, n in try e.lowerSqueeze(n) },
        "Sub": { e, _, n in try e.lowerBinary(n, .sub, options: { .sub(activation: $0) }) },
        "Tanh": { e, _, n in try e.lowerUnary(n, .tanh) },
        "Transpose": { e, _, n in try e.lowerTranspose(n) },
        "Unsqueeze": { e, _, n in try e.lowerReshape(n) },
    ]
}
