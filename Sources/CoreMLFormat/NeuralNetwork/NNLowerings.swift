import FerryIR

/// Every ONNX op the NeuralNetwork exporter maps, read top to bottom: op name → the layers it
/// becomes (spec 4 rank-N layers; convolution, pooling and batchnorm on rank-4 NCHW blobs). An
/// op missing here is an export error naming the node, never a silently wrong model.
enum NNLowerings {
    typealias Lowering = @Sendable (NNEmitter, Node) throws -> Void

    static let table: [String: Lowering] = [
        "Abs": { e, n in try e.lowerUnary(n, .abs) },
        "Add": { e, n in try e.lowerBinary(n, .add) },
        "ArgMax": { e, n in try e.lowerArgExtreme(n, max: true) },
        "ArgMin": { e, n in try e.lowerArgExtreme(n, max: false) },
        "AveragePool": { e, n in try e.lowerPool(n, max: false) },
        "BatchNormalization": { e, n in try e.lowerBatchNormalization(n) },
        "Cast": { e, n in try e.lowerCast(n) },
        "Ceil": { e, n in try e.lowerUnary(n, .ceil) },
        "Clip": { e, n in try e.lowerClip(n) },
        "Concat": { e, n in try e.lowerConcat(n) },
        "Conv": { e, n in try e.lowerConv(n) },
        "ConvTranspose": { e, n in try e.lowerConvTranspose(n) },
        "Cos": { e, n in try e.lowerUnary(n, .cos) },
        "DequantizeLinear": { e, n in try e.lowerDequantizeLinear(n) },
        "Div": { e, n in try e.lowerBinary(n, .divide) },
        "Elu": { e, n in try e.lowerActivation(n) { .elu(alpha: try $0.float("alpha", default: 1)) } },
        "Erf": { e, n in try e.lowerUnary(n, .erf) },
        "Exp": { e, n in try e.lowerUnary(n, .exp) },
        "Flatten": { e, n in try e.lowerReshape(n) },
        "Floor": { e, n in try e.lowerUnary(n, .floor) },
        "Gather": { e, n in try e.lowerGather(n) },
        "Gelu": { e, n in try e.lowerGelu(n) },
        "Gemm": { e, n in try e.lowerGemm(n) },
        "GlobalAveragePool": { e, n in try e.lowerGlobalPool(n, max: false) },
        "GlobalMaxPool": { e, n in try e.lowerGlobalPool(n, max: true) },
        "HardSigmoid": { e, n in
            try e.lowerActivation(n) { .hardSigmoid(alpha: try $0.float("alpha", default: 0.2), beta: try $0.float("beta", default: 0.5)) }
        },
        "HardSwish": { e, n in try e.lowerHardSwish(n) },
        "LayerNormalization": { e, n in try e.lowerLayerNormalization(n) },
        "LeakyRelu": { e, n in try e.lowerActivation(n) { .leakyRelu(alpha: try $0.float("alpha", default: 0.01)) } },
        "Log": { e, n in try e.lowerUnary(n, .log) },
        "LSTM": { e, n in try e.lowerLSTM(n) },
        "MatMul": { e, n in try e.lowerMatMul(n) },
        "Max": { e, n in try e.lowerBinary(n, .max) },
        "MaxPool": { e, n in try e.lowerPool(n, max: true) },
        "Min": { e, n in try e.lowerBinary(n, .min) },
        "Mul": { e, n in try e.lowerBinary(n, .multiply) },
        "Pow": { e, n in try e.lowerBinary(n, .pow) },
        "ReduceMax": { e, n in try e.lowerReduce(n, .max) },
        "ReduceMean": { e, n in try e.lowerReduce(n, .mean) },
        "ReduceMin": { e, n in try e.lowerReduce(n, .min) },
        "ReduceProd": { e, n in try e.lowerReduce(n, .prod) },
        "ReduceSum": { e, n in try e.lowerReduce(n, .sum) },
        "Relu": { e, n in try e.lowerActivation(n) { _ in .relu } },
        "Reshape": { e, n in try e.lowerReshape(n) },
        "Resize": { e, n in try e.lowerResize(n) },
        "Sigmoid": { e, n in try e.lowerActivation(n) { _ in .sigmoid } },
        "Sin": { e, n in try e.lowerUnary(n, .sin) },
        "Slice": { e, n in try e.lowerSlice(n) },
        "Softmax": { e, n in try e.lowerSoftmax(n) },
        "Sqrt": { e, n in try e.lowerUnary(n, .sqrt) },
        "Squeeze": { e, n in try e.lowerReshape(n) },
        "Sub": { e, n in try e.lowerBinary(n, .subtract) },
        "Tanh": { e, n in try e.lowerActivation(n) { _ in .tanh } },
        "Transpose": { e, n in try e.lowerTranspose(n) },
        "Unsqueeze": { e, n in try e.lowerReshape(n) },
        "Upsample": { e, n in try e.lowerResize(n) },
    ]
}
