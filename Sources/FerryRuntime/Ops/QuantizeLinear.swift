import FerryIR

/// QuantizeLinear: y = saturate(round_half_even(x / scale) + zero_point), per tensor, per axis
/// or per block. The output type is `output_dtype`, else the zero point's, else uint8: any
/// 2- to 16-bit integer type (clamped to its range), a float8 type (rounded to nearest even,
/// out-of-range values saturating unless `saturate` is 0) or float4/float6 (always saturating).
/// The division is done in `precision`'s type, else in the type numpy gives x / scale.
struct QuantizeLinear: Operator {
    static let opType = "QuantizeLinear"
    let axis: Int
    let blockSize: Int
    let outputType: DataType?
    let saturate: Bool
    let precision: DataType?

    init(_ node: NodeContext) throws {
        axis = try node.int("axis", default: 1)
        blockSize = try node.int("block_size", default: 0)
        saturate = try node.int("saturate", default: 1) != 0
        outputType = try LinearQuantization.dataType(node, "output_dtype", allowed: LinearQuantization.quantizedTypes)
        precision = try LinearQuantization.dataType(node, "precision", allowed: [.float32, .float16, .bfloat16, .float64])
    }

    func run(_ inputs: [Tensor?], _ context: ExecutionContext) throws -> [Tensor] {
        let x = try inputs.required(0), scale = try inputs.required(1), zeroPoint = inputs.optional(2)
        if let outputType, let zeroPoint, zeroPoint.dataType != outputType {
            throw KernelError("output_dtype is \(outputType) but the zero point is \(zeroPoint.dataType)")
        }
        let target = outputType ?? zeroPoint?.dataType ?? .uint8
        guard LinearQuantization.quantizedTypes.contains(target), let type = target.numericType else {
            throw KernelError("quantizing to \(target) is not supported")
        }
        if blockSize == 0, precision ?? .float32 == .float32,
           let fast = PerTensorQuantization.quantize(x, scale: scale, zeroPoint: zeroPoint, to: target, context) {
            return [fast]
        }
        let parameters = try QuantizationParameters(shape: x.shape, scale: scale, zeroPoint: zeroPoint, axis: axis, blockSize: blockSize)
        let round = try LinearQuantization.rounding(to: precision ?? LinearQuantization.divisionType(x.dataType, scale.dataType))
        let values = x.doubles()
        // Both operands are first given the division's type (exact unless `precision` narrows them).
        let scales = parameters.scales.map(round)
        let quotients = values.indices.map { round(round(values[$0]) / scales[parameters.index($0)]) }
        if let type = type as? any MiniFloatElement.Type {
            func open<T: MiniFloatElement>(_: T.Type) -> Tensor {
                Tensor(shape: x.shape, values: quotients.indices.map {
                    T(quotients[$0] + parameters.zeroPoints[parameters.index($0)], saturate: saturate)
                })
            }
            return [open(type)]
        }
        func open<T: NumericElement>(_: T.Type) -> Tensor {
            let low = T.lowest.doubleValue, high = T.highest.doubleValue
            return Tensor(shape: x.shape, values: quotients.indices.map { i -> T in
                let q = quotients[i].rounded(.toNearestOrEven) + parameters.zeroPoints[parameters.index(i)]
                // NaN goes to the low end, as numpy's conversion of NaN to int32 does.
                return T(castingFrom: q.isNaN ? low : min(max(q, low), high))
            })
        }
        return [open(type)]
    }
}
