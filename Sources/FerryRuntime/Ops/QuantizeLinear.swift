import FerryIR

/// QuantizeLinear: y = saturate(round_half_even(x / scale) + zero_point), per tensor, per axis
/// or per block; the output type is the zero point's (uint8 by default) or output_dtype.
struct QuantizeLinear: Operator {
    static let opType = "QuantizeLinear"
    let axis: Int
    let blockSize: Int
    let outputType: DataType?

    init(_ node: NodeContext) throws {
        axis = try node.int("axis", default: 1)
        blockSize = try node.int("block_size", default: 0)
        node.ignore("saturate", "precision")
        let code = try node.int("output_dtype", default: 0)
        if code != 0 {
            guard let type = DataType(rawValue: Int32(code)) else { throw node.invalid("output_dtype", "type \(code) is not supported") }
            outputType = type
        } else {
            outputType = nil
        }
    }

    func run(_ inputs: [Tensor?], _ context: ExecutionContext) throws -> [Tensor] {
        let x = try inputs.required(0), scale = try inputs.required(1), zeroPoint = inputs.optional(2)
        let target = outputType ?? zeroPoint?.dataType ?? .uint8
        guard [.uint8, .int8, .uint16, .int16, .int32].contains(target), let type = target.numericType else {
            throw KernelError("quantizing to \(target) is not supported")
        }
        let parameters = try QuantizationParameters(shape: x.shape, scale: scale, zeroPoint: zeroPoint, axis: axis, blockSize: blockSize)
        let values = x.doubles()
        let floatScales = parameters.scales.map { Float($0) }
        func open<T: NumericElement>(_: T.Type) -> Tensor {
            let low = T.lowest.doubleValue, high = T.highest.doubleValue
            var out = [T]()
            out.reserveCapacity(values.count)
            for (i, v) in values.enumerated() {
                let p = parameters.index(i)
                // Divide in float32 as runtimes do, then round half to even.
                let q = Double((Float(v) / floatScales[p]).rounded(.toNearestOrEven)) + parameters.zeroPoints[p]
                out.append(T(castingFrom: min(max(q, low), high)))
            }
            return Tensor(shape: x.shape, values: out)
        }
        return [open(type)]
    }
}
