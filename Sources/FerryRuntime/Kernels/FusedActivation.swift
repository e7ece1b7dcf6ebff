import FerryIR
import Foundation

/// An activation applied in place to a producer's float32 output (ONNX Runtime's
/// `com.microsoft` FusedConv/FusedGemm `activation` attribute), computed exactly as the
/// stand-alone op computes it, so fusing never changes a result.
public enum FusedActivation: Sendable, Equatable {
    case relu
    case clip(min: Float, max: Float)
    case leakyRelu(alpha: Float)
    case sigmoid
    case tanh
    case hardSigmoid(alpha: Float, beta: Float)

    /// The activation named as ONNX Runtime names it, with its parameters in its order.
    public init?(name: String, parameters: [Float]) {
        switch (name, parameters.count) {
        case ("Relu", 0): self = .relu
        case ("Clip", 2): self = .clip(min: parameters[0], max: parameters[1])
        case ("LeakyRelu", 1): self = .leakyRelu(alpha: parameters[0])
        case ("Sigmoid", 0): self = .sigmoid
        case ("Tanh", 0): self = .tanh
        case ("HardSigmoid", 2): self = .hardSigmoid(alpha: parameters[0], beta: parameters[1])
        default: return nil
        }
    }

    public var name: String {
        switch self {
        case .relu: return "Relu"
        case .clip: return "Clip"
        case .leakyRelu: return "LeakyRelu"
        case .sigmoid: return "Sigmoid"
        case .tanh: return "Tanh"
        case .hardSigmoid: return "HardSigmoid"
        }
    }

    public var parameters: [Float] {
        switch self {
        case .relu, .sigmoid, .tanh: return []
        case .clip(let lo, let hi): return [lo, hi]
        case .leakyRelu(let alpha): return [alpha]
        case .hardSigmoid(let alpha, let beta): return [alpha, beta]
        }
    }

    /// The activation as min(max(x, lo), hi), for kernels that clamp as they store (Relu is
    /// Clip to [0, +∞): the same bits, NaN included); nil for the others.
    public var clampBounds: (lo: Float, hi: Float)? {
        switch self {
        case .relu: return (0, .infinity)
        case .clip(let lo, let hi): return (lo, hi)
        default: return nil
        }
    }

    /// Applies the activation to `count` floats at `p`.
    @inlinable
    public func apply(_ p: UnsafeMutablePointer<Float>, _ count: Int) {
        switch self {
        case .relu:
            for i in 0..<count { p[i] = Swift.max(p[i], 0) }
        case .clip(let lo, let hi):
            for i in 0..<count { p[i] = Swift.min(Swift.max(p[i], lo), hi) }
        case .leakyRelu(let a):
            for i in 0..<count { let x = p[i]; p[i] = x >= 0 ? x : a * x }
        case .sigmoid:
            for i in 0..<count { p[i] = 1 / (1 + Foundation.exp(-p[i])) }
        case .tanh:
            for i in 0..<count { p[i] = Foundation.tanh(p[i]) }
        case .hardSigmoid(let a, let b):
            for i in 0..<count { p[i] = Swift.max(0, Swift.min(1, a * p[i] + b)) }
        }
    }

    /// Applies the activation to a whole float32 tensor the caller owns, split across threads.
    func apply(to tensor: Tensor, _ context: ExecutionContext) {
        let p = tensor.storage.bytes.assumingMemoryBound(to: Float.self)
        let count = tensor.count
        let chunk = 1 << 14
        context.parallelFor((count + chunk - 1) / chunk) { range in
            let start = range.lowerBound * chunk, end = Swift.min(count, range.upperBound * chunk)
            self.apply(p + start, end - start)
        }
    }
}
