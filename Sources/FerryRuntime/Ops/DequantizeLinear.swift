import FerryIR

/// DequantizeLinear: y = (x − zero_point) · scale, per tensor, per axis or per block; the
/// output has the scale's type.
struct DequantizeLinear: Operator {
    static let opType = "DequantizeLinear"
    let axis: Int
    let blockSize: Int

    init(_ node: NodeContext) throws {
        axis = try node.int("axis", default: 1)
        blockSize = try node.int("block_size", default: 0)
        node.ignore("output_dtype")
    }

    func run(_ inputs: [Tensor?], _ context: ExecutionContext) throws -> [Tensor] {
        let x = try inputs.required(0), scale = try inputs.required(1), zeroPoint = inputs.optional(2)
        guard x.dataType.isInteger else { throw KernelError("dequantizing \(x.dataType) is not supported") }
        let parameters = try QuantizationParameters(shape: x.shape, scale: scale, zeroPoint: zeroPoint, axis: axis, blockSize: blockSize)
        let values = x.doubles()
        let scales = parameters.scales.map { Float($0) }
        let result = values.enumerated().map { i, v -> Float in
            let p = parameters.index(i)
            return Float(v - parameters.zeroPoints[p]) * scales[p]
        }
        return [try Cast.convert(Tensor(shape: x.shape, values: result), to: scale.dataType)]
    }
}
