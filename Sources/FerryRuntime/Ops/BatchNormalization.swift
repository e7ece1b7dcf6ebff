import FerryIR

/// BatchNormalization (inference): y = scale·(x − mean)/√(var + ε) + bias per channel (axis 1).
struct BatchNormalization: Operator {
    static let opType = "BatchNormalization"
    let epsilon: Float

    init(_ node: NodeContext) throws {
        epsilon = try node.float("epsilon", default: 1e-5)
        node.ignore("momentum", "spatial", "is_test", "consumed_inputs")
        if try node.int("training_mode", default: 0) != 0 {
            throw node.invalid("training_mode", "is 1: training-mode batch normalization is not supported; export in eval mode")
        }
    }

    func run(_ inputs: [Tensor?], _ context: ExecutionContext) throws -> [Tensor] {
        try computingInFloat32(inputs) { inputs in
            let x = try inputs.required(0)
            let scale = try inputs.required(1).doubles(), bias = try inputs.required(2).doubles()
            let mean = try inputs.required(3).doubles(), variance = try inputs.required(4).doubles()
            guard x.rank >= 2, x.dataType == .float32 else { throw KernelError("expects a float N×C×… input, got \(x.dataType)\(x.shape)") }
            let c = x.shape[1]
            guard [scale, bias, mean, variance].allSatisfy({ $0.count == c }) else {
                throw KernelError("scale, bias, mean and var must each have \(c) values")
            }
            // Folded once per call into y = a·x + b per channel.
            let a = (0..<c).map { Float(scale[$0] / (variance[$0] + Double(epsilon)).squareRoot()) }
            let b = (0..<c).map { Float(bias[$0]) - a[$0] * Float(mean[$0]) }
            return [ChannelAffine.apply(x, a, b, context)]
        }
    }
}

/// y[n][c][…] = a[c]·x[n][c][…] + b[c] for float32 N×C×… tensors.
enum ChannelAffine {
    static func apply(_ x: Tensor, _ a: [Float], _ b: [Float], _ context: ExecutionContext) -> Tensor {
        let n = x.shape[0], c = x.shape[1]
        let inner = x.shape[2...].reduce(1, *)
        let out = Tensor(dataType: .float32, shape: x.shape, zeroed: false)
        let xp = x.storage.bytes.assumingMemoryBound(to: Float.self), op = out.storage.bytes.assumingMemoryBound(to: Float.self)
        a.withUnsafeBufferPointer { ap in
            b.withUnsafeBufferPointer { bp in
                context.parallelFor(n * c, minimumChunk: max(1, 16384 / max(inner, 1))) { range in
                    for plane in range {
                        let scale = ap[plane % c], shift = bp[plane % c]
                        let base = plane * inner
                        for i in 0..<inner { op[base + i] = scale * xp[base + i] + shift }
                    }
                }
            }
        }
        return out
    }
}
