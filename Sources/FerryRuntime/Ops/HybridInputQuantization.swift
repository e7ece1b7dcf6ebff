import FerryIR

/// HybridInputQuantization (`ai.ferry`): what TFLite's hybrid (dynamic-range) kernels do to
/// their float input before the int8 product, as float again: each row (the first `rows_axis`
/// axes index rows; the rest are quantized together) is quantized to int8 and dequantized.
/// `mode` "symmetric" is SymmetricQuantizeFloats (FULLY_CONNECTED: scale max|x|/127), "asymmetric"
/// is AsymmetricQuantizeFloats (CONV_2D and DEPTHWISE_CONV_2D per batch: [min(0,x), max(0,x)]
/// onto [-128, 127], the zero point nudged as TFLite nudges it). The reference core then runs the
/// hybrid op in float on these values, which is the int8 product up to float summation order.
struct HybridInputQuantization: Operator {
    static let opType = "HybridInputQuantization"
    static let domain = "ai.ferry"
    let symmetric: Bool
    let rowsAxis: Int

    init(_ node: NodeContext) throws {
        let mode = try node.string("mode", default: "symmetric")
        guard mode == "symmetric" || mode == "asymmetric" else { throw node.invalid("mode", "expected symmetric or asymmetric, got \(mode)") }
        symmetric = mode == "symmetric"
        rowsAxis = try node.int("rows_axis", default: 1)
    }

    func run(_ inputs: [Tensor?], _ context: ExecutionContext) throws -> [Tensor] {
        let x = try inputs.required(0)
        guard x.dataType == .float32 else { throw KernelError("expects float32, got \(x.dataType)") }
        let rows = x.shape.prefix(Swift.min(Swift.max(rowsAxis, 0), x.rank)).reduce(1, *)
        let size = x.count / Swift.max(rows, 1)
        let out = Tensor(dataType: .float32, shape: x.shape, zeroed: false)
        let xp = UnsafePointer(x.storage.bytes.assumingMemoryBound(to: Float.self))
        let op = out.storage.bytes.assumingMemoryBound(to: Float.self)
        for row in 0..<rows {
            let values = UnsafeBufferPointer(start: xp + row * size, count: size)
            let target = op + row * size
            if symmetric {
                var low: Float = 0, high: Float = 0
                for v in values { low = Swift.min(low, v); high = Swift.max(high, v) }
                let range = Swift.max(Swift.abs(low), Swift.abs(high))
                guard range != 0 else { for i in 0..<size { target[i] = 0 }; continue }
                let scale = range / 127, inverse = 127 / range
                for i in 0..<size {
                    let q = Swift.min(127, Swift.max(-127, (values[i] * inverse).rounded(.toNearestOrAwayFromZero)))
                    target[i] = q * scale
                }
            } else {
                var low: Float = 0, high: Float = 0
                for v in values { low = Swift.min(low, v); high = Swift.max(high, v) }
                let rmin = Double(low), rmax = Double(high)
                guard rmin != rmax else { for i in 0..<size { target[i] = 0 }; continue }
                let scale = (rmax - rmin) / 255
                let fromMin = -128 - rmin / scale, fromMax = 127 - rmax / scale
                let errorMin = 128 + Swift.abs(rmin / scale), errorMax = 127 + Swift.abs(rmax / scale)
                let zeroPointDouble = errorMin < errorMax ? fromMin : fromMax
                let zeroPoint: Float = zeroPointDouble < -128 ? -128 : zeroPointDouble > 127 ? 127 : Float(zeroPointDouble.rounded(.toNearestOrAwayFromZero))
                let floatScale = Float(scale), inverse = 1 / floatScale
                for i in 0..<size {
                    let q = Swift.min(127, Swift.max(-128, (zeroPoint + values[i] * inverse).rounded(.toNearestOrAwayFromZero)))
                    target[i] = (q - zeroPoint) * floatScale
                }
            }
        }
        return [out]
    }
}
