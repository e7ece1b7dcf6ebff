import FerryIR

/// IntegerAveragePool (`ai.ferry`): int8 or int16 2-D average pooling over the window points inside the
/// image, rounded half away from zero, input and output sharing scale and zero point
/// (TFLite's reference_integer_ops::AveragePool).
struct IntegerAveragePool: Operator {
    static let opType = "IntegerAveragePool"
    static let domain = "ai.ferry"
    let window: WindowAttributes
    let range: ActivationRange

    init(_ node: NodeContext) throws {
        window = try WindowAttributes(node, ceilMode: true)
        range = try ActivationRange(node, type: .int16)
    }

    func run(_ inputs: [Tensor?], _ context: ExecutionContext) throws -> [Tensor] {
        let x = try inputs.required(0)
        guard x.dataType == .int8 || x.dataType == .int16, x.rank == 4 else {
            throw KernelError("expects a 4-D int8 or int16 input, got \(x.dataType)\(x.shape)")
        }
        return [x.dataType == .int8 ? try pool(x, Int8.self, context) : try pool(x, Int16.self, context)]
    }

    private func pool<T: FixedWidthInteger & TensorElement>(_ x: Tensor, _: T.Type, _ context: ExecutionContext) throws -> Tensor {
        guard let kernel = window.kernelShape else { throw KernelError("kernel_shape is required") }
        let g = try window.resolve(input: Array(x.shape[2...]), kernel: kernel)
        let (n, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let (oh, ow) = (g.output[0], g.output[1])
        let out = Tensor(dataType: T.dataType, shape: [n, c, oh, ow], zeroed: false)
        let xp = UnsafePointer(x.storage.bytes.assumingMemoryBound(to: T.self))
        let op = out.storage.bytes.assumingMemoryBound(to: T.self)
        let (lo, hi) = (Swift.max(range.min, Int32(T.min)), Swift.min(range.max, Int32(T.max)))
        context.parallelFor(n * c) { planes in
            for plane in planes {
                let src = xp + plane * h * w, dst = op + plane * oh * ow
                for oy in 0..<oh {
                    for ox in 0..<ow {
                        var acc: Int32 = 0
                        var count: Int32 = 0
                        for ky in 0..<g.kernel[0] {
                            let iy = oy * g.strides[0] - g.padBegin[0] + ky * g.dilations[0]
                            guard iy >= 0 && iy < h else { continue }
                            for kx in 0..<g.kernel[1] {
                                let ix = ox * g.strides[1] - g.padBegin[1] + kx * g.dilations[1]
                                guard ix >= 0 && ix < w else { continue }
                                acc += Int32(src[iy * w + ix])
                                count += 1
                            }
                        }
                        let average = count == 0 ? 0 : (acc > 0 ? (acc + count / 2) / count : (acc - count / 2) / count)
                        dst[oy * ow + ox] = T(Swift.min(hi, Swift.max(lo, average)))
                    }
                }
            }
        }
        return out
    }
}
