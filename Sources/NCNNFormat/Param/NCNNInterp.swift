import Foundation

/// NCNN's `Interp` layer on a c, h, w blob, as `src/layer/interp.cpp` (and its x86/arm forms,
/// which share the coefficient code) computes it: its parameters, and the input pixels and
/// weights each output pixel takes, in float32 as NCNN does. The exporter runs it on a probe to
/// check that a resize it writes samples what the source's does.
struct NCNNInterp: Equatable {
    enum Kind: Int {
        /// `in = min(int(out · s), n − 1)` with `s = n / out_n` (or `1 / scale`): ONNX's
        /// asymmetric coordinates with floor rounding.
        case nearest = 1
        /// Half-pixel centres (`(out + ½) · n / out_n − ½`) or, with align_corner, the corners;
        /// the coordinate is clamped to the blob.
        case bilinear = 2
        /// The same coordinates with the cubic kernel of a = −0.75, edge pixels repeated.
        case bicubic = 3
    }

    var kind: Kind
    /// 3=output_height, 4=output_width; 0 when the scales decide the size.
    var outputHeight = 0
    var outputWidth = 0
    /// 1=height_scale, 2=width_scale: used when no output size is written.
    var heightScale: Float = 1
    var widthScale: Float = 1
    /// 6=align_corner (bilinear and bicubic only).
    var alignCorner = false

    /// The `.param` values (defaults are dropped when the line is written).
    var params: [Int: NCNNParamValue] {
        [0: .int(kind.rawValue), 1: .float(heightScale), 2: .float(widthScale), 3: .int(outputHeight), 4: .int(outputWidth),
         6: .int(alignCorner ? 1 : 0)]
    }

    var sizeGiven: Bool { outputHeight != 0 && outputWidth != 0 }

    /// The output height and width for an h × w input.
    func outputSize(height h: Int, width w: Int) -> (height: Int, width: Int) {
        sizeGiven ? (outputHeight, outputWidth) : (Int(Float(h) * heightScale), Int(Float(w) * widthScale))
    }

    /// Why NCNN would read outside the blob or divide by zero on an h × w input, if it would:
    /// bilinear reads rows and columns `i` and `i + 1`, bicubic `i − 1 … i + 2` (its edge folding
    /// needs 4), and align_corner divides by the output length − 1.
    func hazard(height h: Int, width w: Int) -> String? {
        let (outH, outW) = outputSize(height: h, width: w)
        if outH == h && outW == w { return nil }  // NCNN passes the blob through
        switch kind {
        case .nearest: return nil
        case .bilinear where min(h, w) < 2:
            return "bilinear resizing of an axis of length 1 (NCNN's Interp reads outside the blob there)"
        case .bicubic where min(h, w) < 4:
            return "bicubic resizing of an axis shorter than 4 (NCNN's Interp folds its taps wrongly there)"
        default: break
        }
        if alignCorner && min(outH, outW) < 2 { return "align_corners with an output length of 1 (NCNN divides by zero)" }
        return nil
    }

    /// For each output position along an axis of `n` input pixels: the input pixels and weights.
    func taps(input n: Int, output m: Int, scale: Float, sized: Bool) -> [[(index: Int, weight: Float)]] {
        switch kind {
        case .nearest:
            let step = sized ? Float(n) / Float(m) : 1 / scale
            return (0..<m).map { [(min(Int(Float($0) * step), n - 1), 1)] }
        case .bilinear:
            return (0..<m).map { dx in
                var (sx, fx) = position(dx, n, m)
                if sx < 0 { (sx, fx) = (0, 0) }
                if sx >= n - 1 { (sx, fx) = (n - 2, 1) }
                return [(sx, 1 - fx), (sx + 1, fx)]
            }
        case .bicubic:
            return (0..<m).map { dx in
                var (sx, fx) = position(dx, n, m)
                var a = Self.cubic(fx)
                // interp.cpp's cubic_coeffs: taps that fall off an edge fold onto the edge pixel.
                if sx <= -1 { sx = 1; a = [1 - a[3], a[3], 0, 0] }
                if sx == 0 { sx = 1; a = [a[0] + a[1], a[2], a[3], 0] }
                if sx == n - 2 { sx = n - 3; a = [0, a[0], a[1], a[2] + a[3]] }
                if sx >= n - 1 { sx = n - 3; a = [0, 0, a[0], 1 - a[0]] }
                return (0..<4).map { (sx - 1 + $0, a[$0]) }
            }
        }
    }

    /// interp.cpp's source coordinate of output `dx`: its integer part and fraction.
    private func position(_ dx: Int, _ n: Int, _ m: Int) -> (Int, Float) {
        let fx: Float
        if alignCorner {
            fx = Float(Double(dx) * (Double(n - 1) / Double(m - 1)))
        } else {
            fx = Float((Double(dx) + 0.5) * (Double(n) / Double(m)) - 0.5)
        }
        let sx = Int(fx.rounded(.down))
        return (sx, fx - Float(sx))
    }

    /// interp.cpp's interpolate_cubic (A = −0.75), the last weight making the sum 1.
    private static func cubic(_ fx: Float) -> [Float] {
        let a: Float = -0.75
        let fx0 = fx + 1, fx1 = fx, fx2 = 1 - fx
        let c0 = a * fx0 * fx0 * fx0 - 5 * a * fx0 * fx0 + 8 * a * fx0 - 4 * a
        let c1 = (a + 2) * fx1 * fx1 * fx1 - (a + 3) * fx1 * fx1 + 1
        let c2 = (a + 2) * fx2 * fx2 * fx2 - (a + 3) * fx2 * fx2 + 1
        return [c0, c1, c2, 1 - c0 - c1 - c2]
    }

    /// What NCNN writes for one h × w channel (row-major), rows resized first, then columns.
    /// Call only when `hazard` is nil.
    func run(_ channel: [Float], height h: Int, width w: Int) -> [Float] {
        let (outH, outW) = outputSize(height: h, width: w)
        if outH == h && outW == w { return channel }
        let rows = taps(input: h, output: outH, scale: heightScale, sized: sizeGiven)
        let columns = taps(input: w, output: outW, scale: widthScale, sized: sizeGiven)
        var result: [Float] = []
        result.reserveCapacity(outH * outW)
        for row in rows {
            for column in columns {
                var sum: Float = 0
                for (y, b) in row {
                    var across: Float = 0
                    for (x, a) in column { across += channel[y * w + x] * a }
                    sum += across * b
                }
                result.append(sum)
            }
        }
        return result
    }
}
