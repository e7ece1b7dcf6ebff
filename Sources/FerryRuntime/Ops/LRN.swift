import FerryIR
import Foundation

/// LRN: local response normalization across channels,
/// y = x / (bias + alpha/size · Σ x²)^beta over a window of `size` channels.
struct LRN: Operator {
    static let opType = "LRN"
    let alpha: Float, beta: Float, bias: Float, size: Int

    init(_ node: NodeContext) throws {
        alpha = try node.float("alpha", default: 1e-4)
        beta = try node.float("beta", default: 0.75)
        bias = try node.float("bias", default: 1)
        guard let size = try node.intIfPresent("size"), size > 0 else { throw node.invalid("size", "is required and must be positive") }
        self.size = size
    }

    func run(_ inputs: [Tensor?], _ context: ExecutionContext) throws -> [Tensor] {
        try computingInFloat32(inputs) { inputs in
            let x = try inputs.required(0)
            guard x.rank >= 3 else { throw KernelError("expects N×C×spatial, got \(x.shape)") }
            let n = x.shape[0], c = x.shape[1], plane = x.shape[2...].reduce(1, *)
            let xs = x.elements(as: Float.self)
            var out = [Float](repeating: 0, count: xs.count)
            let before = (size - 1) / 2, after = size - 1 - before
            for b in 0..<n {
                for ch in 0..<c {
                    for p in 0..<plane {
                        var sum: Float = 0
                        for j in max(0, ch - before)...min(c - 1, ch + after) {
                            let v = xs[(b * c + j) * plane + p]
                            sum += v * v
                        }
                        let i = (b * c + ch) * plane + p
                        out[i] = xs[i] / Foundation.pow(bias + alpha / Float(size) * sum, beta)
                    }
                }
            }
            return [Tensor(shape: x.shape, values: out)]
        }
    }
}
