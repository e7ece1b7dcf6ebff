import FerryIR

/// Every NCNN layer type the reader knows, read top to bottom: type → how it becomes IR nodes.
enum NCNNLayerImports {
    typealias Handler = @Sendable (NCNNGraphBuilder, NCNNLayer) throws -> Void

    static let table: [String: Handler] = [
        "BatchNorm": { b, l in try b.importBatchNorm(l) },
        "BinaryOp": { b, l in try b.importBinaryOp(l) },
        "Clip": { b, l in
            b.apply(l, "Clip", [l.inputs[0], b.scalar(l, l.float(0, -Float.greatestFiniteMagnitude)), b.scalar(l, l.float(1, Float.greatestFiniteMagnitude))], output: l.outputs[0])
            b.sameRank(l)
        },
        "Concat": { b, l in try b.importConcat(l) },
        "Convolution": { b, l in try b.importConvolution(l) },
        "ConvolutionDepthWise": { b, l in try b.importConvolution(l) },
        "Convolution1D": { b, l in try b.importConvolution1D(l) },
        "ConvolutionDepthWise1D": { b, l in try b.importConvolution1D(l) },
        "Crop": { b, l in try b.importCrop(l) },
        "Deconvolution": { b, l in try b.importDeconvolution(l) },
        "DeconvolutionDepthWise": { b, l in try b.importDeconvolution(l) },
        "ELU": { b, l in b.unary(l, "Elu", ["alpha": .float(l.float(0, 0.1))]) },
        "Embed": { b, l in try b.importEmbed(l) },
        "GELU": { b, l in b.unary(l, "Gelu", l.int(0, 0) != 0 ? ["approximate": .string("tanh")] : [:]) },
        "HardSigmoid": { b, l in b.unary(l, "HardSigmoid", ["alpha": .float(l.float(0, 0.2)), "beta": .float(l.float(1, 0.5))]) },
        "HardSwish": { b, l in
            let gate = b.apply(l, "HardSigmoid", [l.inputs[0]], ["alpha": .float(l.float(0, 0.2)), "beta": .float(l.float(1, 0.5))])
            b.apply(l, "Mul", [l.inputs[0], gate], output: l.outputs[0])
            b.sameRank(l)
        },
        "InnerProduct": { b, l in try b.importInnerProduct(l) },
        "Input": { b, l in
            let shape = NCNNLayout.shape(fromParams: l)
            guard !shape.isEmpty, shape.allSatisfy({ $0 > 0 }) else { throw b.unsupported(l, "an Input without a static shape (w, h, c)") }
            b.shapes[l.outputs[0]] = shape
            b.ranks[l.outputs[0]] = shape.count
            b.inputNames.append(l.outputs[0])
        },
        "Interp": { b, l in try b.importInterp(l) },
        "LayerNorm": { b, l in try b.importLayerNorm(l) },
        "LSTM": { b, l in try b.importLSTM(l) },
        "MatMul": { b, l in try b.importMatMul(l) },
        "MemoryData": { b, l in try b.importMemoryData(l) },
        "Noop": { b, l in
            for (input, output) in zip(l.inputs, l.outputs) { b.apply(l, "Identity", [input], output: output); b.ranks[output] = b.rank(input) }
        },
        "Padding": { b, l in try b.importPadding(l) },
        "Permute": { b, l in try b.importPermute(l) },
        "Pooling": { b, l in try b.importPooling(l) },
        "Reduction": { b, l in try b.importReduction(l) },
        "ReLU": { b, l in
            let slope = l.float(0, 0)
            b.unary(l, slope == 0 ? "Relu" : "LeakyRelu", slope == 0 ? [:] : ["alpha": .float(slope)])
        },
        "Reshape": { b, l in try b.importReshape(l) },
        "Sigmoid": { b, l in b.unary(l, "Sigmoid") },
        "Slice": { b, l in try b.importSlice(l) },
        "Softmax": { b, l in try b.importSoftmax(l) },
        "Split": { b, l in
            for output in l.outputs { b.apply(l, "Identity", [l.inputs[0]], output: output); b.ranks[output] = b.rank(l.inputs[0]) }
        },
        "TanH": { b, l in b.unary(l, "Tanh") },
        "UnaryOp": { b, l in try b.importUnaryOp(l) },
    ]
}
