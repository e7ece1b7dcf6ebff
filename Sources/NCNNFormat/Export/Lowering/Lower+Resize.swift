import FerryIR
import FerryRuntime

extension NCNNEmitter {
    /// Resize and Upsample of the height and width of one image → Interp: nearest, bilinear or
    /// bicubic, by output size (or, for nearest, by scale), with align_corner.
    ///
    /// Which ONNX modes NCNN computes alike depends on the sizes as well as the attributes
    /// (half_pixel nearest with round_prefer_floor takes NCNN's pixels at a factor of 2, not of
    /// 1.5), so each candidate layer is run as NCNN runs it (`NCNNInterp`) on a probe image and
    /// kept only if it gives what the reference core gives for the source node; otherwise the
    /// node is refused, naming the attributes NCNN cannot follow.
    func lowerResize(_ node: Node) throws {
        guard let x = node.input(0) else { throw unsupported(node, "input 0 is missing") }
        let inShape = try shape(x), output = node.outputs[0], outShape = try shape(output)
        guard inShape.count == 4, outShape.count == 4, inShape[0] == 1 else {
            throw unsupported(node, "only resizing a rank-4 image of one sample maps to NCNN's Interp (input shape \(inShape))")
        }
        guard outShape[0] == inShape[0], outShape[1] == inShape[1] else {
            throw unsupported(node, "resizing the batch or channel axis (\(inShape) → \(outShape)); NCNN's Interp resizes height and width")
        }
        let request = try ResizeAttributes(NodeAttributes(exporting: node), opset: graphOpset)
        let (h, w, outH, outW) = (inShape[2], inShape[3], outShape[2], outShape[3])
        if let reason = request.refusal(downscaling: outH < h || outW < w) { throw unsupported(node, reason) }
        if request.mode == "cubic" && request.cubicA != -0.75 { throw unsupported(node, "cubic_coeff_a \(request.cubicA) (NCNN's bicubic uses -0.75)") }
        if request.mode == "cubic" && request.excludeOutside { throw unsupported(node, "exclude_outside (NCNN's bicubic repeats the edge pixels)") }
        var kind: NCNNInterp.Kind
        switch request.mode {
        case "nearest": kind = .nearest
        case "linear", "bilinear": kind = .bilinear
        case "cubic": kind = .bicubic
        default: throw unsupported(node, "mode '\(request.mode)'")
        }
        // From a single pixel every mode repeats it; nearest does that without reading around it.
        if h == 1 && w == 1 { kind = .nearest }
        var candidates = [NCNNInterp(kind: kind, outputHeight: outH, outputWidth: outW, alignCorner: kind != .nearest && request.coordinates == "align_corners")]
        if kind == .nearest, let scales = try lowering(node, { try request.spatialScales(node, constants: constants) }) {
            candidates.append(NCNNInterp(kind: .nearest, heightScale: Float(scales[0]), widthScale: Float(scales[1])))
        }
        let probe = ResizeProbe(height: h, width: w, exact: kind == .nearest)
        let expected = try lowering(node) { try probe.run(node, constants: constants, opset: graphOpset, outHeight: outH, outWidth: outW) }
        for interp in candidates where interp.outputSize(height: h, width: w) == (outH, outW) {
            if let hazard = interp.hazard(height: h, width: w) { throw unsupported(node, hazard) }
            guard probe.matches(interp.run(probe.values, height: h, width: w), expected) else { continue }
            let blob = newBlob(output)
            try emit("Interp", name: node.name.isEmpty ? output : node.name, inputs: [try self.blob(x)], outputs: [blob], params: interp.params)
            define(output, blob: blob, shape: try layout(output).shape)
            return
        }
        throw unsupported(node, "\(request.summary) resizing \(h)×\(w) to \(outH)×\(outW) samples other pixels than NCNN's Interp, which "
                          + (kind == .nearest ? "takes the pixel at ⌊y · in/out⌋ (asymmetric, floor)" : "samples at half-pixel centres or aligned corners"))
    }
}
