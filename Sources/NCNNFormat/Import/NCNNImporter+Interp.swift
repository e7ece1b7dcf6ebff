import FerryIR

extension NCNNGraphBuilder {
    /// Interp on a c, h, w blob → Resize of axes 2 and 3 with the coordinates NCNN computes
    /// (see `NCNNInterp`): nearest is asymmetric with floor rounding, by the written output
    /// size or scales; bilinear and bicubic (a = −0.75, edges repeated) sample half-pixel
    /// centres or, with align_corner, the corners, at the written output size.
    func importInterp(_ layer: NCNNLayer) throws {
        guard rank(layer.inputs[0]) == 3 else { throw unsupported(layer, "a rank-\(rank(layer.inputs[0])) blob; the reader maps Interp on c, h, w blobs") }
        guard layer.int(5, 0) == 0, layer.params[9] == nil else { throw unsupported(layer, "a target size from another blob or an expression") }
        guard let kind = NCNNInterp.Kind(rawValue: layer.int(0, 0)) else { throw unsupported(layer, "resize_type \(layer.int(0, 0))") }
        let interp = NCNNInterp(kind: kind, outputHeight: layer.int(3, 0), outputWidth: layer.int(4, 0),
                                heightScale: layer.float(1, 1), widthScale: layer.float(2, 1), alignCorner: layer.int(6, 0) != 0)
        var attributes: [String: Attribute] = ["axes": .ints([2, 3])]
        switch kind {
        case .nearest:
            attributes["mode"] = .string("nearest")
            attributes["coordinate_transformation_mode"] = .string("asymmetric")
            attributes["nearest_mode"] = .string("floor")
        case .bilinear, .bicubic:
            attributes["mode"] = .string(kind == .bilinear ? "linear" : "cubic")
            attributes["coordinate_transformation_mode"] = .string(interp.alignCorner ? "align_corners" : "half_pixel")
            attributes["cubic_coeff_a"] = .float(-0.75)
        }
        let x = layer.inputs[0]
        if interp.sizeGiven {
            apply(layer, "Resize", [x, "", "", int64s(layer, "sizes", [interp.outputHeight, interp.outputWidth])], output: layer.outputs[0], attributes)
        } else {
            // Bilinear and bicubic recompute the scale from the output size (in / ⌊in · scale⌋),
            // which ONNX's scales do not; Ferry writes their output size.
            guard kind == .nearest else { throw unsupported(layer, "bilinear or bicubic by scale; the reader needs output_height and output_width (3, 4)") }
            let scales = constant(layer, "scales", Tensor(shape: [2], values: [interp.heightScale, interp.widthScale]))
            apply(layer, "Resize", [x, "", scales], output: layer.outputs[0], attributes)
        }
        sameRank(layer)
    }
}
