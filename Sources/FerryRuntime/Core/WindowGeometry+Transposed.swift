/// Where a ConvTranspose's output lies inside its full scatter, shared by the reference kernel
/// and the writers that map ConvTranspose to a target's deconvolution.
extension WindowAttributes {
    /// The geometry of a transposed window: `padBegin` and `padEnd` are what is cut from the
    /// start and the end of the full scatter, (in − 1)·stride + (kernel − 1)·dilation + 1 +
    /// output_padding long; `output` is what remains. A negative end pad (an output_shape
    /// beyond the full scatter) adds zeros at the end.
    ///
    /// With output_shape or auto_pad SAME_UPPER/SAME_LOWER the total pad is split as the ONNX
    /// spec says and onnxruntime 1.32 does: SAME_UPPER cuts the odd pixel at the end, anything
    /// else (SAME_LOWER, or NOTSET with output_shape) at the start. Older onnxruntime releases
    /// put it the other way round when output_shape was given; Ferry follows 1.32, which
    /// conformance is judged against (tests/test_convtranspose_padding.py checks it).
    public func resolveTransposed(input: [Int], kernel: [Int], outputPadding: [Int]?, outputShape: [Int]?) throws -> WindowGeometry {
        let rank = input.count
        let kernel = kernelShape ?? kernel
        let strides = self.strides ?? Array(repeating: 1, count: rank)
        let dilations = self.dilations ?? Array(repeating: 1, count: rank)
        let extra = outputPadding ?? Array(repeating: 0, count: rank)
        guard kernel.count == rank, strides.count == rank, dilations.count == rank, extra.count == rank,
              pads == nil || pads!.count == 2 * rank, outputShape == nil || outputShape!.count >= rank else {
            throw KernelError("kernel_shape \(kernel), strides \(strides), dilations \(dilations), pads, output_padding \(extra) or output_shape do not match \(rank) spatial dims")
        }
        var begin = Array(repeating: 0, count: rank), end = begin, output = begin
        for axis in 0..<rank {
            let full = strides[axis] * (input[axis] - 1) + extra[axis] + (kernel[axis] - 1) * dilations[axis] + 1
            let total: Int
            if let outputShape {
                output[axis] = outputShape[outputShape.count - rank + axis]
                total = full - output[axis]
            } else if autoPad == .sameUpper || autoPad == .sameLower {
                output[axis] = input[axis] * strides[axis]
                total = max(0, full - output[axis])
            } else {
                let pads = autoPad == .valid ? nil : self.pads
                begin[axis] = pads?[axis] ?? 0
                end[axis] = pads?[axis + rank] ?? 0
                output[axis] = full - begin[axis] - end[axis]
                continue
            }
            // An output_shape one beyond the full scatter (ONNX's own node test asks for it)
            // gets a zero row at the end, as in onnxruntime, which clamps the total at 0.
            let cut = max(0, total)
            begin[axis] = autoPad == .sameUpper ? cut / 2 : cut - cut / 2
            end[axis] = total - begin[axis]
        }
        guard output.allSatisfy({ $0 >= 0 }) else { throw KernelError("output shape \(output) is negative") }
        return WindowGeometry(input: input, kernel: kernel, strides: strides, dilations: dilations, padBegin: begin, padEnd: end, output: output)
    }
}
