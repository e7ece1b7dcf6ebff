import FerryIR

/// Scale and zero point of a linear (de)quantization, broadcast per tensor, per axis or per
/// block, as ONNX QuantizeLinear/DequantizeLinear define them.
struct QuantizationParameters {
    let scales: [Double]
    let zeroPoints: [Double]
    /// For each element of the data tensor, the index into scales/zero points.
    let index: (Int) -> Int

    init(shape: [Int], scale: Tensor, zeroPoint: Tensor?, axis: Int, blockSize: Int) throws {
        scales = scale.doubles()
        zeroPoints = zeroPoint?.doubles() ?? [Double](repeating: 0, count: scales.count)
        guard zeroPoints.count == scales.count else {
            throw KernelError("zero point has \(zeroPoints.count) values, scale has \(scales.count)")
        }
        if scale.count == 1 && scale.rank <= 1 {
            index = { _ in 0 }
            return
        }
        let a = try Axis.normalize(axis, rank: shape.count)
        let inner = shape[(a + 1)...].reduce(1, *), length = shape[a]
        if blockSize > 0 {
            guard scale.rank == shape.count, (0..<shape.count).allSatisfy({ $0 == a ? scale.shape[$0] == (shape[$0] + blockSize - 1) / blockSize : scale.shape[$0] == shape[$0] }) else {
                throw KernelError("blocked scale \(scale.shape) does not fit data \(shape) with block size \(blockSize) on axis \(a)")
            }
            let scaleStrides = Tensor.strides(of: scale.shape), dataStrides = Tensor.strides(of: shape)
            let rank = shape.count
            index = { flat in
                var offset = 0
                for d in 0..<rank {
                    var i = (flat / dataStrides[d]) % shape[d]
                    if d == a { i /= blockSize }
                    offset += i * scaleStrides[d]
                }
                return offset
            }
            return
        }
        guard scale.count == length else {
            throw KernelError("per-axis scale has \(scale.count) values, axis \(a) has \(length)")
        }
        index = { flat in (flat / inner) % length }
    }
}
