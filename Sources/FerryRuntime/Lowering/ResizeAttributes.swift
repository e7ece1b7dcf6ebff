import FerryIR

/// The attributes of an ONNX Resize (or the older Upsample) node, with ONNX's defaults by
/// opset, for the writers that map Resize to a target's layer. Read through the writer's own
/// `NodeAttributes`, so that an attribute of the wrong type is that writer's error, naming the
/// node and the attribute.
public struct ResizeAttributes: Sendable {
    public var mode: String
    public var coordinates: String
    public var nearestMode: String
    public var cubicA: Float
    public var excludeOutside: Bool
    public var antialias: Bool
    public var aspectPolicy: String
    /// Resize's `axes` (opset 18), normalized for rank 4.
    public var axes: [Int]?
    /// Upsample's `scales` attribute (opset 7).
    public var attributeScales: [Float]?
    /// The input holding the scales: 1 for Upsample and opset-10 Resize, 2 from opset 11.
    public var scalesInput: Int

    public init(_ attributes: NodeAttributes, opset: Int) throws {
        let a = attributes
        mode = try a.string("mode", default: "nearest")
        if a.node.opType == "Upsample" {
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
    public var summary: String {
        var parts = ["mode '\(mode)'", "coordinate_transformation_mode '\(coordinates)'"]
        if mode == "nearest" { parts.append("nearest_mode '\(nearestMode)'") }
        return parts.joined(separator: " with ")
    }

    /// Attributes with no form in a target that resizes at fixed sizes over the whole image.
    public func refusal(downscaling: Bool) -> String? {
        if coordinates == "tf_crop_and_resize" { return "coordinate_transformation_mode 'tf_crop_and_resize' (a region of interest)" }
        if aspectPolicy != "stretch" { return "keep_aspect_ratio_policy '\(aspectPolicy)'" }
        if mode != "nearest" && antialias && downscaling { return "antialias when downscaling" }
        return nil
    }

    /// The constant scales of the height and width axes of a rank-4 resize, if the node gives
    /// scales; `constants` holds the constant inputs by name.
    public func spatialScales(_ node: Node, constants: [String: Tensor]) throws(LoweringError) -> [Double]? {
        if let attributeScales { return attributeScales.count == 4 ? [Double(attributeScales[2]), Double(attributeScales[3])] : nil }
        guard let name = node.input(scalesInput) else { return nil }
        guard let tensor = constants[name] else { throw .notConstant(input: name) }
        let values = tensor.doubles()
        if values.count == 4 { return [values[2], values[3]] }
        if let axes, values.count == axes.count, let hi = axes.firstIndex(of: 2), let wi = axes.firstIndex(of: 3) {
            return [values[hi], values[wi]]
        }
        return nil
    }
}
