import FerryIR

extension MILEmitter {
    /// Resize and Upsample of the last two axes of a rank-4 tensor → the MIL op that samples
    /// the same grid (see `MILResizeGrid`): by integer factors, upsample_nearest_neighbor or
    /// upsample_bilinear as coremltools writes PyTorch's interpolate; to other sizes,
    /// resize_nearest_neighbor or resize_bilinear.
    ///
    /// Which ONNX modes a MIL op computes alike depends on the sizes as well as the attributes
    /// (half_pixel nearest with round_prefer_floor repeats pixels at a factor of 2, not of 1.5),
    /// so each candidate is checked on a probe image: the ONNX Resize the reader maps the op to
    /// must give what the source node gives in the reference core. Otherwise the node is
    /// refused, naming the attributes no MIL op follows.
    func lowerResize(_ node: Node) throws {
        guard let x = node.input(0) else { throw unsupported(node, "input 0 is missing") }
        let inShape = try staticShape(x, node), output = node.outputs[0], outShape = try staticShape(output, node)
        guard inShape.count == 4, outShape.count == 4 else {
            throw unsupported(node, "only resizing the last two axes of a rank-4 tensor maps to MIL (input shape \(inShape))")
        }
        guard outShape[0] == inShape[0], outShape[1] == inShape[1] else {
            throw unsupported(node, "resizing the batch or channel axis (\(inShape) → \(outShape)); MIL resizes the last two axes")
        }
        let request = try ResizeRequest(node, opset: opset)
        let (h, w, outH, outW) = (inShape[2], inShape[3], outShape[2], outShape[3])
        if let reason = request.refusal(downscaling: outH < h || outW < w) { throw unsupported(node, reason) }
        var nearest: Bool
        switch request.mode {
        case "nearest": nearest = true
        case "linear", "bilinear": nearest = false
        case "cubic": throw unsupported(node, "mode 'cubic' (MIL's resize ops are nearest and bilinear)")
        default: throw unsupported(node, "mode '\(request.mode)'")
        }
        // From a single pixel every mode repeats it.
        if h == 1 && w == 1 { nearest = true }
        let integral = outH % h == 0 && outW % w == 0 && outH >= h && outW >= w
        let (kh, kw) = (outH / h, outW / w)
        let out = output
        var candidates: [(grid: MILResizeGrid, emit: () throws -> Void)] = []
        if nearest {
            if integral {
                candidates.append((.upsampleNearest, {
                    try self.emit(node, "upsample_nearest_neighbor", [("x", try self.input(node, 0)),
                        ("scale_factor_height", self.int32s([kh], name: out + "_scale_h", scalar: true)),
                        ("scale_factor_width", self.int32s([kw], name: out + "_scale_w", scalar: true))])
                }))
            }
            candidates.append((.resizeNearest, {
                try self.emit(node, "resize_nearest_neighbor", [("x", try self.input(node, 0)),
                    ("target_size_height", self.int32s([outH], name: out + "_height", scalar: true)),
                    ("target_size_width", self.int32s([outW], name: out + "_width", scalar: true))])
            }))
        } else {
            let aligned = request.coordinates == "align_corners"
            if aligned && min(outH, outW) < 2 { throw unsupported(node, "align_corners with an output length of 1 (MIL's grid divides by zero)") }
            if integral, request.coordinates != "asymmetric", let grid = MILResizeGrid.upsampleBilinear(alignCorners: aligned, halfPixelCenters: !aligned) {
                candidates.append((grid, {
                    try self.emit(node, "upsample_bilinear", [("x", try self.input(node, 0)),
                        ("scale_factor_height", self.int32s([kh], name: out + "_scale_h", scalar: true)),
                        ("scale_factor_width", self.int32s([kw], name: out + "_scale_w", scalar: true)),
                        ("align_corners", self.bool(aligned, name: out + "_align"))])
                }))
            }
            if let mode = MILResizeGrid.samplingMode(for: request.coordinates),
               let grid = MILResizeGrid.resizeBilinear(samplingMode: mode, outputs: [outH, outW]) {
                candidates.append((grid, {
                    try self.emit(node, "resize_bilinear", [("x", try self.input(node, 0)),
                        ("target_size_height", self.int32s([outH], name: out + "_height", scalar: true)),
                        ("target_size_width", self.int32s([outW], name: out + "_width", scalar: true)),
                        ("sampling_mode", self.string(mode, name: out + "_mode"))])
                }))
            }
        }
        let probe = ResizeProbe(height: h, width: w, exact: nearest)
        let expected = try probe.run(node, constants: graph.initializers, opset: opset, outHeight: outH, outWidth: outW)
        for candidate in candidates {
            let sizes = Tensor(shape: [2], values: [Int64(outH), Int64(outW)])
            let equivalent = Node(name: node.name, opType: "Resize", inputs: [x, "", "", "probe_sizes"], outputs: [output],
                                  attributes: candidate.grid.attributes(rank: 4))
            let actual = try probe.run(equivalent, constants: ["probe_sizes": sizes], opset: CoreMLImporter.opset, outHeight: outH, outWidth: outW)
            guard probe.matches(actual, expected) else { continue }
            return try candidate.emit()
        }
        throw unsupported(node, "\(request.summary) resizing \(h)×\(w) to \(outH)×\(outW) samples a grid no MIL resize op samples"
                          + (nearest ? " (nearest: ⌊y/k⌋ for an integer factor k, or ⌊(y + ½) · in/out⌋)" : ""))
    }
}
