import FerryIR

extension NNEmitter {
    /// Resize and Upsample of the last two axes of a rank-4 blob → `upsample` by integer
    /// factors (nearest; bilinear with linearUpsampleMode DEFAULT = asymmetric,
    /// ALIGN_CORNERS_TRUE = align_corners, ALIGN_CORNERS_FALSE = half_pixel, the latter two
    /// spec 5) or `resizeBilinear` to any size (STRICT_ALIGN_ENDPOINTS_MODE = align_corners,
    /// UPSAMPLE_MODE = asymmetric), as NeuralNetwork.proto documents their grids.
    ///
    /// As for ML Programs (`ResizePlan`), each candidate's grid is checked on a probe image
    /// against the source node in the reference core. NeuralNetwork has no nearest resize to
    /// other sizes (coremltools turns one into a bilinear upsample) and no half-pixel bilinear
    /// resize to fractional sizes that Ferry writes (fractionalScalingFactor's output size is
    /// not documented): those are refused, naming the attributes.
    func lowerResize(_ node: Node) throws {
        guard node.input(0) != nil else { throw unsupported(node, "input 0 is missing") }
        let out = node.outputs[0]
        let plan = try ResizePlan(node, input: try staticShape(node.inputs[0], node), output: try staticShape(out, node), opset: opset,
                                  target: "NeuralNetwork")
        let (outH, outW, factors) = (plan.outHeight, plan.outWidth, plan.factors)
        var candidates: [(grid: MILResizeGrid, emit: () throws -> Void)] = []
        func upsample(_ grid: MILResizeGrid, bilinear: Bool, _ mode: NNLinearUpsampleMode) {
            candidates.append((grid, { self.emit(node, .upsample(NNUpsample(factors: factors, bilinear: bilinear, linearMode: mode)), [try self.input(node, 0)]) }))
        }
        if plan.nearest {
            if plan.integral { upsample(.upsampleNearest, bilinear: false, .default) }
        } else {
            // The DEFAULT and aligned grids divide by Xout − 1.
            let single = min(outH, outW) < 2
            if plan.integral {
                if !single { upsample(MILResizeGrid(mode: "linear", coordinates: "asymmetric"), bilinear: true, .default) }
                if !single { upsample(MILResizeGrid(mode: "linear", coordinates: "align_corners"), bilinear: true, .alignCornersTrue) }
                upsample(MILResizeGrid(mode: "linear", coordinates: "half_pixel"), bilinear: true, .alignCornersFalse)
            }
            for mode in [NNSamplingMode.strictAlignEndpoints, .upsample] {
                guard let grid = MILResizeGrid.resizeBilinear(samplingMode: mode.milName, outputs: [outH, outW]) else { continue }
                candidates.append((grid, { self.emit(node, .resizeBilinear(targetSize: [outH, outW], mode: mode), [try self.input(node, 0)]) }))
            }
        }
        try plan.emitFirstMatching(candidates, constants: graph.initializers, opset: opset, target: "NeuralNetwork",
                                   grids: plan.nearest ? "nearest: ⌊y/k⌋ for an integer factor k only"
                                       : "bilinear: align_corners or asymmetric to any size, half_pixel by integer factors")
    }
}
