import FerryIR

/// Every ONNX op the exporter maps, read top to bottom: op name → how it becomes NCNN layers.
/// An op missing here is an export error naming the node, never a silently wrong model.
enum NCNNLowerings {
    typealias Lowering = @Sendable (NCNNEmitter, Node) throws -> Void

    static let table: [String: Lowering] = [
        "Abs": { e, n in try e.lowerUnaryOp(n, 0) },
        "Add": { e, n in try e.lowerBinary(n, .add) },
        "AveragePool": { e, n in try e.lowerPool(n, max: false) },
        "BatchNormalization": { e, n in try e.lowerBatchNormalization(n) },
        "Cast": { e, n in try e.lowerCast(n) },
        "Ceil": { e, n in try e.lowerUnaryOp(n, 3) },
        "Clip": { e, n in try e.lowerClip(n) },
        "Concat": { e, n in try e.lowerConcat(n) },
        "Conv": { e, n in try e.lowerConv(n) },
        "ConvTranspose": { e, n in try e.lowerConvTranspose(n) },
        "Cos": { e, n in try e.lowerUnaryOp(n, 10) },
        "Div": { e, n in try e.lowerBinary(n, .div) },
        "Dropout": { e, n in try e.lowerView(n) },
        "Elu": { e, n in try e.lowerElementwise(n, "ELU", [0: .float(try NodeAttributes(exporting: n).float("alpha", default: 1))]) },
        "Exp": { e, n in try e.lowerUnaryOp(n, 7) },
        "Flatten": { e, n in try e.lowerView(n) },
        "Floor": { e, n in try e.lowerUnaryOp(n, 2) },
        "Gather": { e, n in try e.lowerGather(n) },
        "Gelu": { e, n in
            let exact = try NodeAttributes(exporting: n).string("approximate", default: "none") == "none"
            try e.lowerElementwise(n, "GELU", [0: .int(exact ? 0 : 1)])
        },
        "Gemm": { e, n in try e.lowerGemm(n) },
        "GlobalAveragePool": { e, n in try e.lowerGlobalPool(n, max: false) },
        "GlobalMaxPool": { e, n in try e.lowerGlobalPool(n, max: true) },
        "HardSigmoid": { e, n in
            let a = NodeAttributes(exporting: n)
            try e.lowerElementwise(n, "HardSigmoid", [0: .float(try a.float("alpha", default: 0.2)), 1: .float(try a.float("beta", default: 0.5))])
        },
        "HardSwish": { e, n in try e.lowerElementwise(n, "HardSwish", [0: .float(1.0 / 6.0), 1: .float(0.5)]) },
        "Identity": { e, n in try e.lowerView(n) },
        "LayerNormalization": { e, n in try e.lowerLayerNormalization(n) },
        "LeakyRelu": { e, n in try e.lowerElementwise(n, "ReLU", [0: .float(try NodeAttributes(exporting: n).float("alpha", default: 0.01))]) },
        "Log": { e, n in try e.lowerUnaryOp(n, 8) },
        "LSTM": { e, n in try e.lowerLSTM(n) },
        "MatMul": { e, n in try e.lowerMatMul(n) },
        "Max": { e, n in try e.lowerBinary(n, .max) },
        "MaxPool": { e, n in try e.lowerPool(n, max: true) },
        "Min": { e, n in try e.lowerBinary(n, .min) },
        "Mul": { e, n in try e.lowerBinary(n, .mul) },
        "Neg": { e, n in try e.lowerUnaryOp(n, 1) },
        "Pad": { e, n in try e.lowerPad(n) },
        "Pow": { e, n in try e.lowerBinary(n, .pow) },
        "Reciprocal": { e, n in try e.lowerUnaryOp(n, 15) },
        "ReduceMax": { e, n in try e.lowerReduce(n, operation: 4) },
        "ReduceMean": { e, n in try e.lowerReduce(n, operation: 3) },
        "ReduceMin": { e, n in try e.lowerReduce(n, operation: 5) },
        "ReduceSum": { e, n in try e.lowerReduce(n, operation: 0) },
        "Relu": { e, n in try e.lowerElementwise(n, "ReLU") },
        "Reshape": { e, n in try e.lowerView(n) },
        "Resize": { e, n in try e.lowerResize(n) },
        "Sigmoid": { e, n in try e.lowerElementwise(n, "Sigmoid") },
        "Sin": { e, n in try e.lowerUnaryOp(n, 9) },
        "Slice": { e, n in try e.lowerSlice(n) },
        "Softmax": { e, n in try e.lowerSoftmax(n) },
        "Split": { e, n in try e.lowerSplit(n) },
        "Sqrt": { e, n in try e.lowerUnaryOp(n, 5) },
        "Squeeze": { e, n in try e.lowerView(n) },
        "Sub": { e, n in try e.lowerBinary(n, .sub) },
        "Tanh": { e, n in try e.lowerElementwise(n, "TanH") },
        "Transpose": { e, n in try e.lowerTranspose(n) },
        "Unsqueeze": { e, n in try e.lowerView(n) },
        "Upsample": { e, n in try e.lowerResize(n) },
    ]

    /// Why an op NCNN users meet is not mapped, for the error message.
    static let refusals: [String: String] = [
        "ArgMax": "NCNN's ArgMax layer is not built in its default (and PyPI) packages and returns float indices; export the scores and take the argmax in the app",
        "Erf": "Erf outside the exact-GELU pattern has no NCNN layer",
        "QuantizeLinear": "NCNN blobs are float; quantization lives inside its int8 layers",
    ]
}
