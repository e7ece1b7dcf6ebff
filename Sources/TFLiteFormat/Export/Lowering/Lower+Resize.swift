import FerryIR
import FerryRuntime

extension TFLiteEmitter {
    /// Resize of the two spatial axes of an NCHW image: RESIZE_BILINEAR or
    /// RESIZE_NEAREST_NEIGHBOR when TFLite's sampling grid is the same as ONNX's.
    func lowerResize(_ node: Node) throws {
        let x = node.inputs[0], out = node.outputs[0]
        let shape = try self.shape(x), outShape = try self.shape(out)
        guard shape.count == 4, shape[0] == outShape[0], shape[1] == outShape[1] else {
            throw unsupported(node, "only resizing the last two axes of a rank-4 input maps to TFLite")
        }
        // The defaults depend on the opset (opset-10 Resize samples asymmetric, floor).
        let request = try ResizeAttributes(NodeAttributes(exporting: node), opset: opset)
        let (mode, transform) = (request.mode, request.coordinates)
        if let reason = request.refusal(downscaling: outShape[2] < shape[2] || outShape[3] < shape[3]) { throw unsupported(node, reason) }
        // Explicit scales must be exactly out/in, or ONNX samples a grid TFLite cannot express.
        let scales = try lowering(node) { try request.spatialScales(node, constants: constants) }
        for (axis, scale) in zip(2..<4, scales ?? []) where Double(shape[axis]) * scale != Double(outShape[axis]) {
            throw unsupported(node, "scale \(scale) is not output/input size")
        }
        let alignCorners: Bool, halfPixel: Bool
        switch transform {
        case "align_corners": (alignCorners, halfPixel) = (true, false)
        case "asymmetric": (alignCorners, halfPixel) = (false, false)
        case "half_pixel": (alignCorners, halfPixel) = (false, true)
        case "pytorch_half_pixel" where outShape[2] > 1 && outShape[3] > 1: (alignCorners, halfPixel) = (false, true)
        default: throw unsupported(node, "coordinate_transformation_mode '\(transform)'")
        }
        let op: TFLiteBuiltinOperator
        let options: TFLiteOptions
        switch mode {
        case "linear", "bilinear":
            op = .resizeBilinear
            options = .resizeBilinear(alignCorners: alignCorners, halfPixelCenters: halfPixel)
        case "nearest":
            let rounding = request.nearestMode
            let integerUpscale = outShape[2] % shape[2] == 0 && outShape[3] % shape[3] == 0
            let matches: Bool
            switch (transform, rounding) {
            case ("asymmetric", "floor"), ("half_pixel", "round_prefer_ceil"), ("pytorch_half_pixel", "round_prefer_ceil"),
                 ("align_corners", "round_prefer_ceil"): matches = true
            // (y + ½)/f is never a half-integer's neighbour tie for an integer factor f, so the tie rule cannot matter.
            case ("half_pixel", "round_prefer_floor"), ("pytorch_half_pixel", "round_prefer_floor"): matches = integerUpscale
            default: matches = false
            }
            guard matches else { throw unsupported(node, "nearest_mode '\(rounding)' with '\(transform)' samples other pixels than TFLite") }
            op = .resizeNearestNeighbor
            options = .resizeNearestNeighbor(alignCorners: alignCorners, halfPixelCenters: halfPixel)
        default:
            throw unsupported(node, "mode '\(mode)'")
        }
        let nhwc = Permutation.channelsLast(4)
        let input = try tensor(x, perm: nhwc)
        let size = try int32Constant([outShape[2], outShape[3]], name: "\(out)/size")
        let y = try define(out, perm: nhwc)
        emit(op, inputs: [input, size], outputs: [y], options: options)
    }
}
