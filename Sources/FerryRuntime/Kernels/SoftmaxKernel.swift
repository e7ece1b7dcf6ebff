import FerryIR
import Foundation

/// Softmax-family kernels over rows: the input is viewed as outer × axisLength × inner.
enum SoftmaxKernel {
    enum Kind { case softmax, logSoftmax, hardmax }

    /// Resolves the rows an op normalizes: before opset 13 the input is coerced to 2-D at
    /// `axis`; from 13 on only `axis` is normalized.
    static func layout(_ shape: [Int], axis: Int, opset: Int) throws -> (outer: Int, length: Int, inner: Int) {
        let a = try Axis.normalize(axis, rank: shape.count)
        if opset < 13 { return (shape[..<a].reduce(1, *), shape[a...].reduce(1, *), 1) }
        return (shape[..<a].reduce(1, *), shape[a], shape[(a + 1)...].reduce(1, *))
    }

    static func run(_ x: Tensor, axis: Int, opset: Int, kind: Kind, _ context: ExecutionContext) throws -> Tensor {
        guard x.dataType == .float32 else { throw KernelError("expects float input, got \(x.dataType)") }
        let (outer, length, inner) = try layout(x.shape, axis: axis, opset: opset)
        let out = Tensor(dataType: .float32, shape: x.shape)
        let xp = x.storage.bytes.assumingMemoryBound(to: Float.self), op = out.storage.bytes.assumingMemoryBound(to: Float.self)
        context.parallelFor(outer * inner, minimumChunk: max(1, 4096 / max(1, length))) { rows in
            for row in rows {
                let base = (row / inner) * length * inner + row % inner
                var best = -Float.infinity, bestIndex = 0
                for i in 0..<length where xp[base + i * inner] > best { best = xp[base + i * inner]; bestIndex = i }
                switch kind {
                case .hardmax:
                    for i in 0..<length { op[base + i * inner] = i == bestIndex ? 1 : 0 }
                case .softmax, .logSoftmax:
                    if best == -.infinity { best = 0 }
                    var sum: Float = 0
                    for i in 0..<length {
                        let e = Foundation.exp(xp[base + i * inner] - best)
                        op[base + i * inner] = e
                        sum += e
                    }
                    if case .softmax = kind {
                        let scale = 1 / sum
                        for i in 0..<length { op[base + i * inner] *= scale }
                    } else {
                        let shift = best + Foundation.log(sum)
                        for i in 0..<length { op[base + i * inner] = xp[base + i * inner] - shift }
                    }
                }
            }
        }
        return out
    }
}
