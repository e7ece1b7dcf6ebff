import FerryIR

/// How an IR value is stored quantized: real = scale × (q − zero point), one scale per tensor or
/// one per slice along `axis` (in the source layout).
struct ValueQuantization: Equatable {
    var scales: [Float]
    var zeroPoints: [Int64]
    var axis: Int

    var isPerTensor: Bool { scales.count == 1 }

    /// TFLite's parameters for the value stored in layout `perm` (source axis `perm[i]` at
    /// position i), with `offset` leading size-1 axes added before the source axes.
    func tflite(perm: [Int], offset: Int = 0) -> TFLiteQuantization {
        if isPerTensor { return .perTensor(scale: scales[0], zeroPoint: zeroPoints[0]) }
        let dimension = perm.firstIndex(of: axis + offset) ?? axis + offset
        return .perChannel(scales: scales, zeroPoints: zeroPoints, dimension: Int32(dimension))
    }
}

/// A constant the source model keeps quantized behind a DequantizeLinear (int8 weights, int32
/// biases): the stored integers and their parameters. Preparation folds the DequantizeLinear
/// into a float constant for the float lowerings and remembers where the floats came from.
struct QuantizedConstant {
    var values: Tensor
    var quantization: ValueQuantization
}
