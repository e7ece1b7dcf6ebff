import FerryIR

/// The attributes of an ONNX Resize (or the older Upsample) node, with ONNX's defaults.
struct ResizeRequest {
    var mode: String
    var coordinates: String
    var nearestMode: String
    var cubicA: Float
    var excludeOutside: Bool
    var antialias: Bool
    var aspectPolicy: String
    /// Resize's `axes` (opset 18), normalized for rank 4.
    var axes: [Int]?
    /// Upsample's `scales` attribute (opset 7).
    var attributeScales: [Float]?
    /// The input holding the scales.
    var scalesInput: Int

    init(_ node: Node, opset: Int) throws {
        let a = NodeAttributes(exporting: node)
        mode = try a.string("mode", default: "nearest")
        if node.opType == "Upsample" {
            (coordinates, nearestMode, cubicA, excludeOutside, antialias, aspectPolicy) = ("asymmetric", "floor", -0.75, false, false, "stretch")
            attributeScales = try a.floats("scales")
            scalesInput = 1
            return
        }
        coordinates = try a.string("coordinate_transformation_mode", default: opset < 11 ? "asymmetric" : "half_pixel")
        nearestMode = try a.string("nearest_mode", default: opset < 11 ? "floor" : "round_prefer_floor")
        cubicA = try a.float("cubic_coeff_a", default: -0.75)
        excludeOutside = try a.int("exclude_outside", default: 0) != 0
        antialias = try a.int("antialias", default: 0) != 0
        aspectPolicy = try a.string("keep_aspect_ratio_policy", default: "stretch")
        axes = try a.ints("axes").map { $0.map { $0 < 0 ? $0 + 4 : $0 } }
        scalesInput = opset < 11 ? 1 : 2
    }

    /// The attributes that decide the sampling grid, for messages.
    var summary: String {
        var parts = ["mode '\(mode)'", "coordinate_transformation_mode '\(coordinates)'"]
        if mode == "nearest" { parts.append("nearest_mode '\(nearestMode)'") }
        return parts.joined(separator: " with ")
    }

    /// Attributes with no form in a target that resizes at fixed sizes over the whole image.
    func refusal(downscaling: Bool) -> String? {
        if coordinates == "tf_crop_and_resize" { return "coordinate_transformation_mode 'tf_crop_and_resize' (a region of interest)" }
        if aspectPolicy != "stretch" { return "keep_aspect_ratio_policy '\(aspectPolicy)'" }
        if mode != "nearest" && antialias && downscaling { return "antialias when downscaling" }
        return nil
    }
}
