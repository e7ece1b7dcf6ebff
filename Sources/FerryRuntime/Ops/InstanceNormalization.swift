import FerryIR

/// InstanceNormalization: normalizes each (n, c) plane, then applies per-channel scale and bias.
struct InstanceNormalization: Operator {
    static let opType = "InstanceNormalization"
    let epsilon: Float

    init(_ node: NodeContext) throws { epsilon = try node.float("epsilon", default: 1e-5) }

    func run(_ inputs: [Tensor?], _ context: ExecutionContext) throws -> [Tensor] {
        try computingInFloat32(inputs) { inputs in
            try requireFloat32(inputs, [0: "input", 1: "scale", 2: "B"])
            let x = try inputs.required(0)
            let scale = try inputs.required(1).elements(as: Float.self), bias = try inputs.required(2).elements(as: Float.self)
            guard x.rank >= 3 else { throw KernelError("expects N×C×spatial, got \(x.shape)") }
            let c = x.shape[1], size = x.shape[2...].reduce(1, *)
            guard scale.count == c, bias.count == c else { throw KernelError("scale and bias must have \(c) values") }
            let out = Tensor(dataType: .float32, shape: x.shape)
            let xp = x.storage.bytes.assumingMemoryBound(to: Float.self), op = out.storage.bytes.assumingMemoryBound(to: Float.self)
            let eps = epsilon
            context.parallelFor(x.shape[0] * c) { planes in
                for plane in planes {
                    let row = xp + plane * size
                    var sum: Float = 0
                    for i in 0..<size { sum += row[i] }
                    let mean = sum / Float(size)
                    var sq: Float = 0
                    for i in 0..<size { let d = row[i] - mean; sq += d * d }
                    let inv = 1 / (sq / Float(size) + eps).squareRoot()
                    let s = scale[plane % c] * inv, b = bias[plane % c]
                    for i in 0..<size { op[plane * size + i] = (row[i] - mean) * s + b }
                }
            }
            return [out]
        }
    }
}
