import FerryIR

/// The MIL ops that resize the last two axes (iOS 15 opset), and how each samples, as the ONNX
/// Resize the reference core runs for it. From coremltools' op definitions
/// (`mil/ops/defs/iOS15/image_resizing.py`) and the conversions that choose them:
///
/// - `upsample_nearest_neighbor` by integer factors k repeats each pixel k times: ONNX's
///   asymmetric coordinates with floor rounding.
/// - `resize_nearest_neighbor` is what coremltools writes for TensorFlow's half-pixel nearest
///   resize, the pixel at ⌊(y + ½) · in/out⌋: ONNX's half_pixel with round_prefer_ceil.
/// - `upsample_bilinear` recomputes the scale from the output size; align_corners samples
///   `y · (in − 1)/(out − 1)`, otherwise half-pixel centres (iOS 16's half_pixel_centers = false
///   with align_corners = false: `y · in/out`).
/// - `resize_bilinear` samples by `sampling_mode`: STRICT_ALIGN_CORNERS (and ALIGN_CORNERS, but
///   for an output of 1) are ONNX's align_corners, UNALIGN_CORNERS its half_pixel, DEFAULT its
///   asymmetric; OFFSET_CORNERS has no ONNX form.
///
/// Every mode clamps the coordinate to the input, as ONNX's linear resize does in effect.
struct MILResizeGrid: Equatable {
    var mode: String
    var coordinates: String
    var nearestMode = "floor"

    static let upsampleNearest = MILResizeGrid(mode: "nearest", coordinates: "asymmetric")
    static let resizeNearest = MILResizeGrid(mode: "nearest", coordinates: "half_pixel", nearestMode: "round_prefer_ceil")

    static func upsampleBilinear(alignCorners: Bool, halfPixelCenters: Bool) -> MILResizeGrid? {
        if alignCorners && halfPixelCenters { return nil }
        return MILResizeGrid(mode: "linear", coordinates: alignCorners ? "align_corners" : halfPixelCenters ? "half_pixel" : "asymmetric")
    }

    static func resizeBilinear(samplingMode: String, outputs: [Int]) -> MILResizeGrid? {
        switch samplingMode {
        case "STRICT_ALIGN_CORNERS": return MILResizeGrid(mode: "linear", coordinates: "align_corners")
        case "ALIGN_CORNERS" where !outputs.contains(1): return MILResizeGrid(mode: "linear", coordinates: "align_corners")
        case "UNALIGN_CORNERS": return MILResizeGrid(mode: "linear", coordinates: "half_pixel")
        case "DEFAULT" where !outputs.contains(1): return MILResizeGrid(mode: "linear", coordinates: "asymmetric")
        default: return nil
        }
    }

    /// The sampling mode of `resize_bilinear` for ONNX `coordinates`.
    static func samplingMode(for coordinates: String) -> String? {
        switch coordinates {
        case "align_corners": return "STRICT_ALIGN_CORNERS"
        case "half_pixel", "pytorch_half_pixel", "half_pixel_symmetric": return "UNALIGN_CORNERS"
        case "asymmetric": return "DEFAULT"
        default: return nil
        }
    }

    /// The attributes of the ONNX Resize (opset 18 or later) of the last two axes of a rank-`rank` value.
    func attributes(rank: Int) -> [String: Attribute] {
        ["mode": .string(mode), "coordinate_transformation_mode": .string(coordinates), "nearest_mode": .string(nearestMode),
         "axes": .ints([rank - 2, rank - 1])]
    }

    /// The same attributes with the axes counted from the end (a NeuralNetwork reader knows no ranks).
    var attributesOfTheLastTwoAxes: [String: Attribute] {
        var result = attributes(rank: 0)
        result["axes"] = .ints([-2, -1])
        return result
    }
}
