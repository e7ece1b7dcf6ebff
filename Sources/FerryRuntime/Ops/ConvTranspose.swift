import FerryIR

/// ConvTranspose: the gradient of Conv as a layer (fractionally strided convolution), with
/// groups, dilations, output_padding, output_shape and auto_pad.
struct ConvTranspose: Operator {
    static let opType = "ConvTranspose"
    let window: WindowAttributes
    let group: Int
    let outputPadding: [Int]?
    let outputShape: [Int]?

    init(_ node: NodeContext) throws {
        window = try WindowAttributes(node)
        group = try node.int("group", default: 1)
        outputPadding = try node.ints("output_padding")
        outputShape = try node.ints("output_shape")
    }

    func run(_ inputs: [Tensor?], _ context: ExecutionContext) throws -> [Tensor] {
        try computingInFloat32(inputs) { inputs in
            try requireFloat32(inputs, [0: "X", 1: "W", 2: "B"])
            let x = try inputs.required(0), w = try inputs.required(1), bias = inputs.optional(2)
            guard x.rank >= 3, w.rank == x.rank else { throw KernelError("input \(x.shape) and weight \(w.shape) must both be N×C×spatial") }
            let n = x.shape[0], c = x.shape[1], coutG = w.shape[1], m = coutG * group
            guard w.shape[0] == c, c % group == 0 else { throw KernelError("weight \(w.shape) does not fit \(c) input channels in \(group) groups") }
            let spatial = Array(x.shape[2...])
            guard window.kernelShape == nil || window.kernelShape! == Array(w.shape[2...]) else {
                throw KernelError("kernel_shape \(window.kernelShape!) does not match weight \(w.shape)")
            }
            let geometry = try window.resolveTransposed(input: spatial, kernel: Array(w.shape[2...]), outputPadding: outputPadding, outputShape: outputShape)
            let (kernel, strides, dilations, begin, outSpatial) = (geometry.kernel, geometry.strides, geometry.dilations, geometry.padBegin, geometry.output)
            let rank = spatial.count
            try ShapeCheck.count([n, m] + outSpatial)
            let inSize = spatial.reduce(1, *), outSize = outSpatial.reduce(1, *), kSize = kernel.reduce(1, *)
            let xs = x.elements(as: Float.self), ws = w.elements(as: Float.self)
            var out = [Float](repeating: 0, count: n * m * outSize)
            let inStrides = Tensor.strides(of: spatial), outStrides = Tensor.strides(of: outSpatial), kStrides = Tensor.strides(of: kernel)
            let cinG = c / group
            for b in 0..<n {
                for ic in 0..<c {
                    let g = ic / cinG
                    for ip in 0..<inSize {
                        let v = xs[(b * c + ic) * inSize + ip]
                        if v == 0 { continue }
                        for kp in 0..<kSize {
                            var offset = 0, inside = true
                            for axis in 0..<rank {
                                let ii = (ip / inStrides[axis]) % spatial[axis]
                                let ki = (kp / kStrides[axis]) % kernel[axis]
                                let oi = ii * strides[axis] - begin[axis] + ki * dilations[axis]
                                if oi < 0 || oi >= outSpatial[axis] { inside = false; break }
                                offset += oi * outStrides[axis]
                            }
                            if !inside { continue }
                            for oc in 0..<coutG {
                                out[(b * m + g * coutG + oc) * outSize + offset] += v * ws[(ic * coutG + oc) * kSize + kp]
                            }
                        }
                    }
                }
            }
            if let bias {
                let bs = bias.elements(as: Float.self)
                for b in 0..<n { for oc in 0..<m { for p in 0..<outSize { out[(b * m + oc) * outSize + p] += bs[oc] } } }
            }
            return [Tensor(shape: [n, m] + outSpatial, values: out)]
        }
    }
}
