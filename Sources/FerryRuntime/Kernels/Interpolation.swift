import FerryIR
import Foundation

/// Separable N-D interpolation as ONNX Resize defines it: along each axis, every output
/// coordinate maps back to an input coordinate and takes a weighted sum of neighbours.
struct Interpolation {
    enum Mode: String { case nearest, linear, cubic }
    enum CoordinateMode: String {
        case halfPixel = "half_pixel", halfPixelSymmetric = "half_pixel_symmetric"
        case pytorchHalfPixel = "pytorch_half_pixel", alignCorners = "align_corners"
        case asymmetric, tfCropAndResize = "tf_crop_and_resize"
    }
    enum NearestMode: String { case roundPreferFloor = "round_prefer_floor", roundPreferCeil = "round_prefer_ceil", floor, ceil }

    var mode: Mode
    var coordinates: CoordinateMode
    var nearest: NearestMode
    var cubicA: Double
    var excludeOutside: Bool
    var extrapolation: Double
    var antialias: Bool

    /// The taps of one output coordinate: input indices and their weights (nil = extrapolate).
    func taps(output x: Int, outputLength: Int, inputLength: Int, scale: Double,
              roi: (start: Double, end: Double)) -> [(index: Int, weight: Double)]? {
        let xr = Double(x)
        // ONNX measures the output length as scale · input length, a real number when the
        // size came from scales (only half_pixel_symmetric uses the integer length).
        let inLen = Double(inputLength), outLen = scale * inLen
        var original: Double
        switch coordinates {
        case .halfPixel: original = (xr + 0.5) / scale - 0.5
        case .halfPixelSymmetric:
            let adjustment = Double(outputLength) / outLen
            let center = inLen / 2
            original = center * (1 - adjustment) + (xr + 0.5) / scale - 0.5
        case .pytorchHalfPixel: original = outLen != 1 ? (xr + 0.5) / scale - 0.5 : -0.5
        case .alignCorners: original = outLen == 1 ? 0 : xr * (inLen - 1) / (outLen - 1)
        case .asymmetric: original = xr / scale
        case .tfCropAndResize:
            original = outLen != 1
                ? roi.start * (inLen - 1) + xr * (roi.end - roi.start) * (inLen - 1) / (outLen - 1)
                : 0.5 * (roi.start + roi.end) * (inLen - 1)
            if original < 0 || original > inLen - 1 { return nil }
        }
        // x0 is the neighbour at or left of `original`, with ratio in (0, 1].
        let x0 = Int(original.rounded(.up)) - 1
        let ratio = original - Double(x0)
        let coefficients: [Double]
        switch mode {
        case .nearest:
            let takeRight: Bool
            switch nearest {
            case .roundPreferFloor: takeRight = ratio > 0.5
            case .roundPreferCeil: takeRight = ratio >= 0.5
            case .floor: takeRight = ratio == 1
            case .ceil: takeRight = true
            }
            coefficients = takeRight ? [0, 1] : [1, 0]
        case .linear:
            if antialias && scale < 1 {
                let start = Int((-1 / scale).rounded(.down)) + 1
                let footprint = 2 - 2 * start
                let raw = (0..<footprint).map { max(0, min(1, 1 - abs((Double(start + $0) - ratio) * scale))) }
                coefficients = raw.map { $0 / raw.reduce(0, +) }
            } else {
                coefficients = [1 - ratio, ratio]
            }
        case .cubic:
            if antialias && scale < 1 {
                let start = Int((-2 / scale).rounded(.down)) + 1
                let end = 2 - start
                let raw = (start..<end).map { cubicKernel(abs(scale * (Double($0) - ratio))) }
                coefficients = raw.map { $0 / raw.reduce(0, +) }
            } else {
                coefficients = [cubicKernel(ratio + 1), cubicKernel(ratio), cubicKernel(1 - ratio), cubicKernel(2 - ratio)]
            }
        }
        let n = coefficients.count
        var result: [(Int, Double)] = []
        var total = 0.0
        for (i, weight) in coefficients.enumerated() {
            let index = x0 - n / 2 + 1 + i
            var w = weight
            if excludeOutside && (index < 0 || index >= inputLength) { w = 0 }
            total += w
            result.append((min(max(index, 0), inputLength - 1), w))
        }
        if excludeOutside && total != 0 { result = result.map { ($0.0, $0.1 / total) } }
        return result
    }

    func cubicKernel(_ x: Double) -> Double {
        let a = cubicA, t = abs(x)
        if t <= 1 { return ((a + 2) * t - (a + 3)) * t * t + 1 }
        if t < 2 { return ((a * t - 5 * a) * t + 8 * a) * t - 4 * a }
        return 0
    }

    /// Resizes `x` (as Double values) to `outShape`, one axis at a time.
    func resize(_ values: [Double], shape: [Int], outShape: [Int], scales: [Double], roi: [(Double, Double)]) -> [Double] {
        var current = values
        var currentShape = shape
        for axis in 0..<shape.count where outShape[axis] != shape[axis] || scales[axis] != 1 || coordinates == .tfCropAndResize {
            let outer = currentShape[..<axis].reduce(1, *), inner = currentShape[(axis + 1)...].reduce(1, *)
            let inLen = currentShape[axis], outLen = outShape[axis]
            if inLen == 0 && outLen > 0 { return [Double](repeating: extrapolation, count: outShape.reduce(1, *)) }
            let table = (0..<outLen).map { taps(output: $0, outputLength: outLen, inputLength: inLen, scale: scales[axis], roi: roi[axis]) }
            var next = [Double](repeating: 0, count: outer * outLen * inner)
            for o in 0..<outer {
                for (j, entry) in table.enumerated() {
                    let target = (o * outLen + j) * inner
                    guard let entry else {
                        for i in 0..<inner { next[target + i] = extrapolation }
                        continue
                    }
                    for (index, weight) in entry where weight != 0 {
                        let source = (o * inLen + index) * inner
                        for i in 0..<inner { next[target + i] += weight * current[source + i] }
                    }
                }
            }
            current = next
            currentShape[axis] = outLen
        }
        return current
    }
}
