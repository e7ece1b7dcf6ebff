/// The value NCNN's `load_param` takes for a parameter a layer line leaves out: a number, or
/// the value of another parameter (`kernel_h = pd.get(11, kernel_w)`).
public enum NCNNParamDefault: Sendable, Equatable {
    case int(Int)
    case float(Float)
    case sameAs(Int)
}

/// NCNN's parameter defaults for the layers Ferry writes, as each layer's `load_param` reads
/// them (`src/layer/<type>.cpp` in Tencent/ncnn): a parameter equal to its default is left out
/// of the `.param` line, as NCNN's own tools do, and reads back the same.
public enum NCNNParamDefaults {
    public static let table: [String: [Int: NCNNParamDefault]] = [
        "BatchNorm": [0: .int(0), 1: .float(0)],
        "BinaryOp": [0: .int(0), 1: .int(0), 2: .float(0)],
        "Clip": [0: .float(-Float.greatestFiniteMagnitude), 1: .float(Float.greatestFiniteMagnitude)],
        "Concat": [0: .int(0)],
        "Convolution": convolution,
        "ConvolutionDepthWise": convolution.merging([7: .int(1)]) { $1 },
        "Convolution1D": convolution1D,
        "ConvolutionDepthWise1D": convolution1D.merging([7: .int(1)]) { $1 },
        "Crop": [0: .int(0), 1: .int(0), 13: .int(0), 2: .int(0), 3: .int(0), 4: .int(0), 14: .int(0), 5: .int(0),
                 6: .int(0), 7: .int(0), 15: .int(0), 8: .int(0)],
        "Deconvolution": deconvolution,
        "DeconvolutionDepthWise": deconvolution.merging([7: .int(1)]) { $1 },
        "ELU": [0: .float(0.1)],
        "Embed": [0: .int(0), 1: .int(0), 2: .int(0), 3: .int(0), 18: .int(0)],
        "GELU": [0: .int(0)],
        "HardSigmoid": [0: .float(0.2), 1: .float(0.5)],
        "HardSwish": [0: .float(0.2), 1: .float(0.5)],
        "InnerProduct": [0: .int(0), 1: .int(0), 2: .int(0), 8: .int(0), 9: .int(0)],
        "Input": [0: .int(0), 1: .int(0), 11: .int(0), 2: .int(0)],
        "Interp": [0: .int(0), 1: .float(1), 2: .float(1), 3: .int(0), 4: .int(0), 5: .int(0), 6: .int(0)],
        "LayerNorm": [0: .int(0), 1: .float(0.001), 2: .int(1)],
        "LSTM": [0: .int(0), 1: .int(0), 2: .int(0), 3: .sameAs(0), 8: .int(0)],
        "MatMul": [0: .int(0)],
        "MemoryData": [0: .int(0), 1: .int(0), 11: .int(0), 2: .int(0), 21: .int(1)],
        "Padding": [0: .int(0), 1: .int(0), 2: .int(0), 3: .int(0), 4: .int(0), 5: .float(0), 6: .int(0), 7: .int(0), 8: .int(0)],
        "Permute": [0: .int(0)],
        "Pooling": [0: .int(0), 1: .int(0), 11: .sameAs(1), 2: .int(1), 12: .sameAs(2), 3: .int(0), 14: .sameAs(3), 13: .sameAs(3),
                    15: .sameAs(13), 4: .int(0), 5: .int(0), 6: .int(0), 7: .int(0), 8: .int(0), 18: .sameAs(8)],
        "Reduction": [0: .int(0), 1: .int(1), 2: .float(1), 4: .int(0), 5: .int(0)],
        "ReLU": [0: .float(0)],
        "Reshape": [0: .int(-233), 1: .int(-233), 11: .int(-233), 2: .int(-233)],
        "Slice": [1: .int(0)],
        "Softmax": [0: .int(0), 1: .int(0)],
        "UnaryOp": [0: .int(0)],
    ]

    static let convolution: [Int: NCNNParamDefault] = [
        0: .int(0), 1: .int(0), 11: .sameAs(1), 2: .int(1), 12: .sameAs(2), 3: .int(1), 13: .sameAs(3),
        4: .int(0), 15: .sameAs(4), 14: .sameAs(4), 16: .sameAs(14), 18: .float(0), 5: .int(0), 6: .int(0),
        8: .int(0), 9: .int(0), 19: .int(0),
    ]

    /// Convolution1D / ConvolutionDepthWise1D (convolution1d.cpp): w only, pad_right defaults to pad_left.
    static let convolution1D: [Int: NCNNParamDefault] = [
        0: .int(0), 1: .int(0), 2: .int(1), 3: .int(1), 4: .int(0), 15: .sameAs(4), 18: .float(0), 5: .int(0), 6: .int(0),
        9: .int(0), 19: .int(0),
    ]

    static let deconvolution: [Int: NCNNParamDefault] = [
        0: .int(0), 1: .int(0), 11: .sameAs(1), 2: .int(1), 12: .sameAs(2), 3: .int(1), 13: .sameAs(3),
        4: .int(0), 15: .sameAs(4), 14: .sameAs(4), 16: .sameAs(14), 18: .int(0), 19: .sameAs(18), 20: .int(0), 21: .sameAs(20),
        5: .int(0), 6: .int(0), 9: .int(0), 28: .int(0),
    ]

    /// The value NCNN reads for parameter `id` of a `type` layer whose line holds `params`.
    public static func resolved(_ id: Int, type: String, in params: [Int: NCNNParamValue]) -> NCNNParamValue? {
        if let written = params[id] { return written }
        switch table[type]?[id] {
        case .int(let value)?: return .int(value)
        case .float(let value)?: return .float(value)
        case .sameAs(let other)?: return resolved(other, type: type, in: params)
        case nil: return nil
        }
    }

    /// `layer` without the parameters NCNN would read as the same value were they left out.
    /// Only a value of the default's own kind is dropped (an int where NCNN reads an int), so
    /// nothing is left to NCNN's int/float coercion.
    public static func omittingDefaults(_ layer: NCNNLayer) -> NCNNLayer {
        guard let defaults = table[layer.type] else { return layer }
        var result = layer
        for (id, value) in layer.params {
            guard let fallback = defaults[id] else { continue }
            let implied: NCNNParamValue?
            switch fallback {
            case .int(let v): implied = .int(v)
            case .float(let v): implied = .float(v)
            case .sameAs(let other): implied = resolved(other, type: layer.type, in: layer.params)
            }
            if implied == value { result.params[id] = nil }
        }
        return result
    }
}
