import FerryIR

extension MILEmitter {
    /// Resize and Upsample of the last two axes of a rank-4 tensor → the MIL op that samples
    /// the same grid (see `MILResizeGrid`): by integer factors, upsample_nearest_neighbor or
    /// upsample_bilinear as coremltools writes PyTorch's interpolate; to other sizes,
    /// resize_nearest_neighbor or resize_bilinear.
    ///
    /// Which ONNX modes a MIL op computes alike depends on the sizes as well as the attributes
    /// (half_pixel nearest with round_prefer_floor repeats pixels at a factor of 2, not of 1.5),
    /// so each candidate is checked on a probe image (`ResizePlan`): the ONNX Resize the reader
    /// maps the op to must give what the source node gives in the reference core. Otherwise
    /// the node is refused, naming the attributes no MIL op follows.
    func lowerResize(_ node: Node) throws {
        guard node.input(0) != nil else { throw unsupported(node, "input 0 is missing") }
        let out = node.outputs[0]
        let plan = try ResizePlan(node, input: try staticShape(node.inputs[0], node), output: try staticShape(out, node), opset: opset, target: "MIL")
        let (outH, outW, factors) = (plan.outHeight, plan.outWidth, plan.factors)
        var candidates: [(grid: MILResizeGrid, emit: () throws -> Void)] = []
        if plan.nearest {
            if plan.integral {
                candidates.append((.upsampleNearest, {
                    try self.emit(node, "upsample_nearest_neighbor", [("x", try self.input(node, 0)),
                        ("scale_factor_height", self.int32s([factors[0]], name: out + "_scale_h", scalar: true)),
                        ("scale_factor_width", self.int32s([factors[1]], name: out + "_scale_w", scalar: true))])
                }))
            }
            candidates.append((.resizeNearest, {
                try self.emit(node, "resize_nearest_neighbor", [("x", try self.input(node, 0)),
                    ("target_size_height", self.int32s([outH], name: out + "_height", scalar: true)),
                    ("target_size_width", self.int32s([outW], name: out + "_width", scalar: true))])
            }))
        } else {
            let coordinates = plan.request.coordinates, aligned = coordinates == "align_corners"
            if aligned && min(outH, outW) < 2 { throw unsupported(node, "align_corners with an output length of 1 (MIL's grid divides by zero)") }
            if plan.integral, coordinates != "asymmetric", let grid = MILResizeGrid.upsampleBilinear(alignCorners: aligned, halfPixelCenters: !aligned) {
                candidates.append((grid, {
                    try self.emit(node, "upsample_bilinear", [("x", try self.input(node, 0)),
                        ("scale_factor_height", self.int32s([factors[0]], name: out + "_scale_h", scalar: true)),
                        ("scale_factor_width", self.int32s([factors[1]], name: out + "_scale_w", scalar: true)),
                        ("align_corners", self.bool(aligned, name: out + "_align"))])
                }))
            }
            if let mode = MILResizeGrid.samplingMode(for: coordinates), let grid = MILResizeGrid.resizeBilinear(samplingMode: mode, outputs: [outH, outW]) {
                candidates.append((grid, {
                    try self.emit(node, "resize_bilinear", [("x", try self.input(node, 0)),
                        ("target_size_height", self.int32s([outH], name: out + "_height", scalar: true)),
                        ("target_size_width", self.int32s([outW], name: out + "_width", scalar: true)),
                        ("sampling_mode", self.string(mode, name: out + "_mode"))])
                }))
            }
        }
        try plan.emitFirstMatching(candidates, constants: graph.initializers, opset: opset, target: "MIL",
                                   grids: plan.nearest ? "nearest: ⌊y/k⌋ for an integer factor k, or ⌊(y + ½) · in/out⌋"
                                       : "bilinear: align_corners, half_pixel or asymmetric")
    }
}
