import FerryIR

/// The plain N-D convolution every fast path is tested against: float32, NCHW-style layout,
/// groups, strides, dilations and padding, summing in the order (channel, kernel position).
public enum ConvReference {
    public static func run(x: Tensor, w: Tensor, bias: Tensor?, geometry g: WindowGeometry, group: Int) -> Tensor {
        let n = x.shape[0], c = x.shape[1], m = w.shape[0]
        let cinG = c / group, coutG = m / group
        let spatial = g.input, outSpatial = g.output, kernel = g.kernel
        let rank = spatial.count
        let inSize = spatial.reduce(1, *), outSize = outSpatial.reduce(1, *), kSize = kernel.reduce(1, *)
        let out = Tensor(dataType: .float32, shape: [n, m] + outSpatial)
        let xs = x.elements(as: Float.self), ws = w.elements(as: Float.self)
        let bs = bias?.elements(as: Float.self)
        let inStrides = Tensor.strides(of: spatial), outStrides = Tensor.strides(of: outSpatial), kStrides = Tensor.strides(of: kernel)
        out.withMutableElements(as: Float.self) { o in
            for b in 0..<n {
                for oc in 0..<m {
                    let group = oc / coutG
                    for op in 0..<outSize {
                        var sum: Float = bs?[oc] ?? 0
                        for ic in 0..<cinG {
                            let channel = group * cinG + ic
                            for kp in 0..<kSize {
                                var offset = 0
                                var inside = true
                                for axis in 0..<rank {
                                    let oi = (op / outStrides[axis]) % outSpatial[axis]
                                    let ki = (kp / kStrides[axis]) % kernel[axis]
                                    let ii = oi * g.strides[axis] - g.padBegin[axis] + ki * g.dilations[axis]
                                    if ii < 0 || ii >= spatial[axis] { inside = false; break }
                                    offset += ii * inStrides[axis]
                                }
                                if !inside { continue }
                                sum += xs[(b * c + channel) * inSize + offset] * ws[(oc * cinG + ic) * kSize + kp]
                            }
                        }
                        o[(b * m + oc) * outSize + op] = sum
                    }
                }
            }
        }
        return out
    }
}
