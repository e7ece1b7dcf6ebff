import FerryIR

extension IRBuilder {
    /// upsample_nearest_neighbor, resize_nearest_neighbor, upsample_bilinear and
    /// resize_bilinear → a Resize of the last two axes to the op's output size, sampling the
    /// grid `MILResizeGrid` gives for the op.
    func readResize(_ r: MILOperationReader) throws {
        let output = r.operation.outputs[0]
        let rank = output.type.shape.count
        guard rank >= 3, let outH = output.type.shape[rank - 2], let outW = output.type.shape[rank - 1] else {
            throw r.fail("the output's last two dimensions must be static")
        }
        let grid: MILResizeGrid?
        switch r.operation.type {
        case "upsample_nearest_neighbor":
            let factors = [try r.float("scale_factor_height", default: 1), try r.float("scale_factor_width", default: 1)]
            // Core ML documents no sampling grid for fractional factors.
            guard factors.allSatisfy({ $0 >= 1 && $0 == $0.rounded() }) else { throw r.fail("fractional scale factors \(factors)") }
            grid = .upsampleNearest
        case "resize_nearest_neighbor":
            grid = .resizeNearest
        case "upsample_bilinear":
            let aligned = try r.bool("align_corners", default: true)
            grid = .upsampleBilinear(alignCorners: aligned, halfPixelCenters: try r.bool("half_pixel_centers", default: !aligned))
        default:
            let mode = try r.string("sampling_mode", default: "DEFAULT")
            grid = .resizeBilinear(samplingMode: mode, outputs: [outH, outW])
        }
        guard let grid else { throw r.fail("its sampling grid has no ONNX Resize form") }
        try one(r, "Resize", [try r.value("x"), "", "", int64s([outH, outW], r.output + "/sizes")], grid.attributes(rank: rank))
    }
}
