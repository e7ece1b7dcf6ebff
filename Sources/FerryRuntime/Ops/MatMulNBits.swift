import FerryIR

/// MatMulNBits (`com.microsoft`, as ONNX Runtime defines it): Y = A · dequantize(B)ᵀ, where B
/// holds an N × K weight quantized in blocks of `block_size` along K, packed `bits` per value
/// (low bits first) into uint8 blobs of shape [N, ⌈K/block_size⌉, block_size·bits/8]. Each block
/// has a float scale and an unsigned zero point (packed like the values; 2^(bits−1) when absent).
/// A's last dimension is K; Y's is N. An optional bias (input 5) of N values is added.
struct MatMulNBits: Operator {
    static let opType = "MatMulNBits"
    static let domain = "com.microsoft"
    let k: Int
    let n: Int
    let bits: Int
    let blockSize: Int
    /// The dequantized weight as K × N floats, made once when B, scales and zero points are constants.
    let weight: Tensor?

    init(_ node: NodeContext) throws {
        k = try node.int("K", default: 0)
        n = try node.int("N", default: 0)
        bits = try node.int("bits", default: 4)
        blockSize = try node.int("block_size", default: 0)
        _ = try node.int("accuracy_level", default: 0)
        guard k > 0 else { throw node.invalid("K", "must be positive, got \(k)") }
        guard n > 0 else { throw node.invalid("N", "must be positive, got \(n)") }
        guard [2, 4, 8].contains(bits) else { throw node.invalid("bits", "must be 2, 4 or 8, got \(bits)") }
        guard blockSize >= 16, blockSize & (blockSize - 1) == 0 else {
            throw node.invalid("block_size", "must be a power of two ≥ 16, got \(blockSize)")
        }
        if node.hasInput(4) { throw node.invalidInput(4, "g_idx (act-order) is not supported") }
        if let b = node.constant(1), let scales = node.constant(2), !node.hasInput(3) || node.constant(3) != nil {
            weight = try Self.dequantize(b, scales, node.hasInput(3) ? node.constant(3) : nil, k: k, n: n, bits: bits, blockSize: blockSize)
        } else {
            weight = nil
        }
    }

    static func dequantize(_ b: Tensor, _ scales: Tensor, _ zeroPoints: Tensor?, k: Int, n: Int, bits: Int, blockSize: Int) throws -> Tensor {
        let blocks = (k + blockSize - 1) / blockSize
        let blob = blockSize * bits / 8
        guard b.dataType == .uint8, b.count == n * blocks * blob else {
            throw KernelError("B must be uint8 [\(n), \(blocks), \(blob)], got \(b.dataType)\(b.shape)")
        }
        guard scales.dataType == .float32, scales.count == n * blocks else {
            throw KernelError("scales must hold \(n * blocks) float32 values, got \(scales.dataType)\(scales.shape)")
        }
        let packed = b.elements(as: UInt8.self), s = scales.elements(as: Float.self)
        let perByte = 8 / bits, mask = (1 << bits) - 1
        // Zero points: packed like B (one per block, ⌈blocks·bits/8⌉ bytes per row) or float.
        var zeros = [Float](repeating: Float(1 << (bits - 1)), count: n * blocks)
        if let zeroPoints {
            switch zeroPoints.dataType {
            case .uint8:
                let z = zeroPoints.elements(as: UInt8.self)
                let rowBytes = (blocks * bits + 7) / 8
                guard z.count == n * rowBytes else { throw KernelError("zero_points must hold \(n * rowBytes) bytes, got \(z.count)") }
                for row in 0..<n {
                    for block in 0..<blocks {
                        let byte = Int(z[row * rowBytes + block / perByte])
                        zeros[row * blocks + block] = Float((byte >> ((block % perByte) * bits)) & mask)
                    }
                }
            case .float32:
                guard zeroPoints.count == n * blocks else { throw KernelError("zero_points must hold \(n * blocks) values") }
                zeros = zeroPoints.elements(as: Float.self)
            default:
                throw KernelError("zero_points must be uint8 or float32, got \(zeroPoints.dataType)")
            }
        }
        var values = [Float](repeating: 0, count: k * n)
        for row in 0..<n {
            for block in 0..<blocks {
                let scale = s[row * blocks + block], zero = zeros[row * blocks + block]
                let base = (row * blocks + block) * blob
                for i in 0..<blockSize {
                    let kk = block * blockSize + i
                    guard kk < k else { break }
                    let byte = Int(packed[base + i / perByte])
                    let q = Float((byte >> ((i % perByte) * bits)) & mask)
                    values[kk * n + row] = (q - zero) * scale
                }
            }
        }
        return Tensor(shape: [k, n], values: values)
    }

    func run(_ inputs: [Tensor?], _ context: ExecutionContext) throws -> [Tensor] {
        let a = try inputs.required(0)
        guard a.dataType == .float32, a.shape.last == k else { throw KernelError("A must be float32 ending in K=\(k), got \(a.dataType)\(a.shape)") }
        let w = try weight ?? Self.dequantize(try inputs.required(1), try inputs.required(2), inputs.optional(3), k: k, n: n, bits: bits, blockSize: blockSize)
        var y = try MatMul.multiply(a, w, context)
        if let bias = inputs.optional(5) {
            guard bias.count == n else { throw KernelError("bias must hold N=\(n) values, got \(bias.shape)") }
            y = try mapBinary(y, bias.reshaped([n]), context) { (p: Float, q: Float) -> Float in p + q }
        }
        return [y]
    }
}
