import FerryIR
import Foundation

/// Resize: nearest, linear or cubic interpolation to given scales or sizes, with every ONNX
/// coordinate transformation mode, ROI for tf_crop_and_resize, antialiasing and axes (opset 18).
struct Resize: Operator {
    static let opType = "Resize"
    static let shapeDependsOnValues: [Int] = [1, 2, 3]
    let interpolation: Interpolation
    let axes: [Int]?
    let aspectPolicy: String
    let opset: Int

    init(_ node: NodeContext) throws {
        opset = node.opset
        let modeName = try node.string("mode", default: "nearest")
        guard let mode = Interpolation.Mode(rawValue: modeName) else { throw node.invalid("mode", "must be nearest, linear or cubic, not '\(modeName)'") }
        let coordinateName = try node.string("coordinate_transformation_mode", default: node.opset < 11 ? "asymmetric" : "half_pixel")
        guard let coordinates = Interpolation.CoordinateMode(rawValue: coordinateName) else {
            throw node.invalid("coordinate_transformation_mode", "'\(coordinateName)' is not a mode Ferry knows")
        }
        let nearestName = try node.string("nearest_mode", default: node.opset < 11 ? "floor" : "round_prefer_floor")
        guard let nearest = Interpolation.NearestMode(rawValue: nearestName) else { throw node.invalid("nearest_mode", "'\(nearestName)' is not a mode Ferry knows") }
        interpolation = Interpolation(mode: mode, coordinates: coordinates, nearest: nearest,
                                      cubicA: Double(try node.float("cubic_coeff_a", default: -0.75)),
                                      excludeOutside: try node.int("exclude_outside", default: 0) != 0,
                                      extrapolation: Double(try node.float("extrapolation_value", default: 0)),
                                      antialias: try node.int("antialias", default: 0) != 0)
        axes = try node.ints("axes")
        aspectPolicy = try node.string("keep_aspect_ratio_policy", default: "stretch")
    }

    func run(_ inputs: [Tensor?], _ context: ExecutionContext) throws -> [Tensor] {
        let x = try inputs.required(0)
        let rank = x.rank
        // Opset 10 has (X, scales); from 11 on (X, roi, scales, sizes).
        let roiTensor = opset < 11 ? nil : inputs.optional(1)
        let scalesTensor = opset < 11 ? inputs.optional(1) : inputs.optional(2)
        let sizesTensor = opset < 11 ? nil : inputs.optional(3)
        let axes = try (self.axes ?? Array(0..<rank)).map { try Axis.normalize($0, rank: rank) }
        var scales = [Double](repeating: 1, count: rank)
        var outShape = x.shape
        if let sizesTensor, sizesTensor.count > 0 {
            let sizes = sizesTensor.integers()
            guard sizes.count == axes.count else { throw KernelError("sizes has \(sizes.count) entries for \(axes.count) axes") }
            if aspectPolicy == "stretch" {
                for (i, axis) in axes.enumerated() { outShape[axis] = sizes[i]; scales[axis] = Double(sizes[i]) / Double(x.shape[axis]) }
            } else {
                let ratios = axes.enumerated().map { Double(sizes[$0.offset]) / Double(x.shape[$0.element]) }
                let scale = aspectPolicy == "not_larger" ? ratios.min()! : ratios.max()!
                for axis in axes {
                    let size = (scale * Double(x.shape[axis])).rounded(.toNearestOrAwayFromZero)
                    guard size.isFinite, size < Double(ShapeCheck.maximumElements) else { throw KernelError("sizes \(sizes) are too large") }
                    outShape[axis] = Int(size); scales[axis] = scale
                }
            }
        } else if let scalesTensor, scalesTensor.count > 0 {
            let given = scalesTensor.doubles()
            guard given.count == axes.count else { throw KernelError("scales has \(given.count) entries for \(axes.count) axes") }
            for (i, axis) in axes.enumerated() {
                guard given[i] > 0 else { throw KernelError("scale \(given[i]) must be positive") }
                scales[axis] = Double(Float(given[i]))
                let size = (Double(x.shape[axis]) * given[i]).rounded(.down)
                guard size < Double(ShapeCheck.maximumElements) else { throw KernelError("scale \(given[i]) makes axis \(axis) too large") }
                outShape[axis] = Int(size)
            }
        } else {
            throw KernelError("needs scales or sizes")
        }
        try ShapeCheck.count(outShape)
        var roi = [(Double, Double)](repeating: (0, 1), count: rank)
        if let roiTensor, roiTensor.count > 0, interpolation.coordinates == .tfCropAndResize {
            let values = roiTensor.doubles()
            guard values.count == 2 * axes.count else { throw KernelError("roi has \(values.count) entries for \(axes.count) axes") }
            for (i, axis) in axes.enumerated() { roi[axis] = (values[i], values[i + axes.count]) }
        }
        let result = interpolation.resize(x.doubles(), shape: x.shape, outShape: outShape, scales: scales, roi: roi)
        return [try Reduction.typed(result.map { x.dataType.isInteger ? $0.rounded() : $0 }, shape: outShape, like: x)]
    }
}
