/// The builtins TensorFlow Lite Micro has kernels for, with the MicroMutableOpResolver method
/// that registers each (tensorflow/lite/micro/micro_mutable_op_resolver.h). An op outside this
/// table cannot run on a microcontroller with the stock kernels, so `--target tflm` refuses it.
public enum TFLMKernels {
    public static let resolverMethods: [TFLiteBuiltinOperator: String] = [
        .abs: "AddAbs", .add: "AddAdd", .argMax: "AddArgMax", .argMin: "AddArgMin",
        .averagePool2D: "AddAveragePool2D", .batchMatMul: "AddBatchMatMul", .cast: "AddCast", .ceil: "AddCeil",
        .concatenation: "AddConcatenation", .conv2D: "AddConv2D", .cos: "AddCos", .depthToSpace: "AddDepthToSpace",
        .depthwiseConv2D: "AddDepthwiseConv2D", .dequantize: "AddDequantize", .div: "AddDiv", .elu: "AddElu", .exp: "AddExp",
        .expandDims: "AddExpandDims", .floor: "AddFloor", .fullyConnected: "AddFullyConnected", .gather: "AddGather",
        .hardSwish: "AddHardSwish", .leakyRelu: "AddLeakyRelu", .log: "AddLog", .logistic: "AddLogistic",
        .logSoftmax: "AddLogSoftmax", .maximum: "AddMaximum", .maxPool2D: "AddMaxPool2D", .mean: "AddMean",
        .minimum: "AddMinimum", .mirrorPad: "AddMirrorPad", .mul: "AddMul", .neg: "AddNeg", .pad: "AddPad", .padV2: "AddPadV2", .prelu: "AddPrelu",
        .quantize: "AddQuantize", .reduceMax: "AddReduceMax", .relu: "AddRelu", .relu6: "AddRelu6", .reshape: "AddReshape",
        .resizeBilinear: "AddResizeBilinear", .resizeNearestNeighbor: "AddResizeNearestNeighbor", .rsqrt: "AddRsqrt",
        .sin: "AddSin", .slice: "AddSlice", .softmax: "AddSoftmax", .spaceToDepth: "AddSpaceToDepth", .split: "AddSplit",
        .splitV: "AddSplitV", .sqrt: "AddSqrt", .squeeze: "AddSqueeze", .stridedSlice: "AddStridedSlice", .sub: "AddSub",
        .sum: "AddSum", .tanh: "AddTanh", .transpose: "AddTranspose", .transposeConv: "AddTransposeConv",
        .unidirectionalSequenceLSTM: "AddUnidirectionalSequenceLSTM",
    ]

    /// Element types TFLM's kernels take.
    public static let tensorTypes: Set<TFLiteTensorType> = [.float32, .int8, .int16, .int32, .bool, .uint8]

    /// Why `model` cannot run on TFLM's stock kernels, one line per problem (empty: it can).
    public static func problems(_ model: TFLiteModel) -> [String] {
        var problems: [String] = []
        for subgraph in model.subgraphs {
            for (index, op) in subgraph.operators.enumerated() {
                let code = model.operatorCodes[Int(op.opcodeIndex)].builtin
                let output = op.outputs.first.map { subgraph.tensors[Int($0)].name } ?? "?"
                if resolverMethods[code] == nil {
                    problems.append("operator \(index) (\(code), writing '\(output)'): TFLM has no \(code) kernel")
                    continue
                }
                for tensor in (op.inputs + op.outputs) where tensor >= 0 {
                    let t = subgraph.tensors[Int(tensor)]
                    if !tensorTypes.contains(t.type) {
                        problems.append("operator \(index) (\(code)): tensor '\(t.name)' is \(t.type), which TFLM kernels do not take")
                        break
                    }
                }
            }
        }
        return problems
    }

    /// The resolver methods the model needs, in a stable order.
    public static func methods(for model: TFLiteModel) -> [String] {
        Set(model.operatorCodes.compactMap { resolverMethods[$0.builtin] }).sorted()
    }
}
