import FerryIR

/// DequantizeLinear: y = (x − zero_point) · scale, per tensor, per axis or per block, computed
/// in float32; x is any type QuantizeLinear produces or int32. The output has `output_dtype`,
/// else the scale's type.
struct DequantizeLinear: Operator {
    static let opType = "DequantizeLinear"
    let axis: Int
    let blockSize: Int
    let outputType: DataType?

    init(_ node: NodeContext) throws {
        axis = try node.int("axis", default: 1)
        blockSize = try node.int("block_size", default: 0)
        outputType = try LinearQuantization.dataType(node, "output_dtype", allowed: [.float32, .float16, .bfloat16])
    }

    func run(_ inputs: [Tensor?], _ context: ExecutionContext) throws -> [Tensor] {
        let x = try inputs.required(0), scale = try inputs.required(1), zeroPoint = inputs.optional(2)
        guard LinearQuantization.quantizedTypes.contains(x.dataType) || x.dataType == .int32 else {
            throw KernelError("dequantizing \(x.dataType) is not supported")
        }
        if let zeroPoint, zeroPoint.dataType != x.dataType {
            throw KernelError("the zero point is \(zeroPoint.dataType) but x is \(x.dataType)")
        }
        if blockSize == 0, outputType ?? .float32 == .float32,
           let fast = PerTensorQuantization.dequantize(x, scale: scale, zeroPoint: zeroPoint, context) {
            return [fast]
        }
        if blockSize == 0, outputType ?? .float32 == .float32,
           let fast = try PerTensorQuantization.dequantizePerAxis(x, scale: scale, zeroPoint: zeroPoint, axis: axis, context) {
            return [fast]
        }
        let parameters = try QuantizationParameters(shape: x.shape, scale: scale, zeroPoint: zeroPoint, axis: axis, blockSize: blockSize)
        let values = x.doubles()
        let scales = parameters.scales.map { Float($0) }
        let result = values.enumerated().map { i, v -> Float in
            let p = parameters.index(i)
            return Float(v - parameters.zeroPoints[p]) * scales[p]
        }
        return [try Cast.convert(Tensor(shape: x.shape, values: result), to: outputType ?? scale.dataType)]
    }
}
