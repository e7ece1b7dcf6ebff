import FerryIR

/// Max and average pooling over N-D windows of float32 N×C×spatial tensors, one output plane
/// per task.
enum Pooling {
    enum Kind { case max, average(countIncludePad: Bool), lp(p: Float) }

    static func run(_ x: Tensor, geometry g: WindowGeometry, kind: Kind, context: ExecutionContext) -> (Tensor, Tensor?) {
        let n = x.shape[0], c = x.shape[1]
        let spatial = g.input, outSpatial = g.output, kernel = g.kernel
        let rank = spatial.count
        let inSize = spatial.reduce(1, *), outSize = outSpatial.reduce(1, *), kSize = kernel.reduce(1, *)
        let out = Tensor(dataType: .float32, shape: [n, c] + outSpatial)
        var wantIndices = false
        if case .max = kind { wantIndices = true }
        let indices = wantIndices ? Tensor(dataType: .int64, shape: [n, c] + outSpatial) : nil
        let xp = x.storage.bytes.assumingMemoryBound(to: Float.self), op = out.storage.bytes.assumingMemoryBound(to: Float.self)
        let ip = indices?.storage.bytes.assumingMemoryBound(to: Int64.self)
        let inStrides = Tensor.strides(of: spatial), outStrides = Tensor.strides(of: outSpatial), kStrides = Tensor.strides(of: kernel)
        context.parallelFor(n * c) { planes in
            var position = [Int](repeating: 0, count: rank)
            for plane in planes {
                let xb = plane * inSize
                for o in 0..<outSize {
                    for axis in 0..<rank { position[axis] = (o / outStrides[axis]) % outSpatial[axis] }
                    var best = -Float.infinity, bestIndex = -1
                    var sum: Float = 0, count = 0, padded = 0
                    for kp in 0..<kSize {
                        var offset = 0, inside = true, inPadded = true
                        for axis in 0..<rank {
                            let ki = (kp / kStrides[axis]) % kernel[axis]
                            let ii = position[axis] * g.strides[axis] - g.padBegin[axis] + ki * g.dilations[axis]
                            if ii < 0 || ii >= spatial[axis] {
                                inside = false
                                if ii < -g.padBegin[axis] || ii >= spatial[axis] + g.padEnd[axis] { inPadded = false }
                            }
                            offset += ii * inStrides[axis]
                        }
                        if inPadded { padded += 1 }
                        guard inside else { continue }
                        let v = xp[xb + offset]
                        switch kind {
                        case .max: if v > best || bestIndex < 0 { best = v; bestIndex = offset }
                        case .average: sum += v; count += 1
                        case .lp(let p): sum += p == 2 ? v * v : Float(pow(Double(abs(v)), Double(p)))
                        }
                    }
                    switch kind {
                    case .max:
                        op[plane * outSize + o] = best
                        ip?[plane * outSize + o] = Int64(plane * inSize + max(bestIndex, 0))
                    case .average(let includePad):
                        op[plane * outSize + o] = sum / Float(includePad ? padded : max(count, 1))
                    case .lp(let p):
                        op[plane * outSize + o] = p == 2 ? sum.squareRoot() : Float(pow(Double(sum), 1 / Double(p)))
                    }
                }
            }
        }
        return (out, indices)
    }
}

import Foundation
