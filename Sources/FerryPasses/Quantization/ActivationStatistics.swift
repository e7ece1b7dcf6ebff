import CFerryKernels
import Dispatch
import FerryIR
import FerryRuntime
import Foundation
import Synchronization

/// Value statistics of float tensors over a calibration set: range, and a histogram of the
/// values between the observed extremes for the percentile, entropy and MSE methods.
public struct ActivationStatistics: Sendable {
    public var min: Double
    public var max: Double
    /// Counts of values in `bins` equal steps over [min, max] (filled by the second pass).
    public var histogram: [Double]
    /// Counts of |x| in `bins` equal steps over [0, max(|min|, |max|)] (entropy method).
    public var absoluteHistogram: [Double] = []

    public static let bins = 2048

    /// The calibrated range of this tensor by `method`.
    public func range(_ method: CalibrationMethod, percentile: Double, type: DataType) -> (Double, Double) {
        guard max > min, histogram.reduce(0, +) > 0 else { return (min, max) }
        switch method {
        case .minmax:
            return (min, max)
        case .percentile:
            return (value(atFraction: 1 - percentile), value(atFraction: percentile))
        case .entropy:
            let threshold = entropyThreshold()
            return (Swift.max(min, -threshold), Swift.min(max, threshold))
        case .mse:
            return mseRange(type: type)
        }
    }

    private var width: Double { (max - min) / Double(histogram.count) }

    /// The value below which `fraction` of the observed values lie.
    func value(atFraction fraction: Double) -> Double {
        let total = histogram.reduce(0, +)
        var seen = 0.0
        for (bin, count) in histogram.enumerated() {
            seen += count
            if seen >= fraction * total { return min + Double(bin + 1) * width }
        }
        return max
    }

    /// TensorRT's entropy calibration over the histogram of |x| (bins over [0, max |x|]): the
    /// threshold whose clipped, 128-level quantized distribution is closest (KL divergence) to
    /// the observed one.
    func entropyThreshold(levels: Int = 128) -> Double {
        let hist = absoluteHistogram
        let bins = hist.count
        let absMax = Swift.max(abs(min), abs(max))
        guard bins > levels, absMax > 0 else { return absMax }
        var best = (divergence: Double.infinity, bin: bins)
        for i in stride(from: levels, through: bins, by: 8) {
            var p = Array(hist[0..<i])
            p[i - 1] += hist[i...].reduce(0, +)
            // The candidate: the i bins without the clipped outliers, merged into `levels`
            // groups, each group's mass spread evenly over its non-empty bins. (Built from the
            // unclipped bins, so that clipping shows up as divergence.)
            let sliced = hist[0..<i]
            var q = [Double](repeating: 0, count: i)
            let perLevel = Double(i) / Double(levels)
            for level in 0..<levels {
                let start = Int((Double(level) * perLevel).rounded(.down))
                let end = level == levels - 1 ? i : Int((Double(level + 1) * perLevel).rounded(.down))
                guard start < end else { continue }
                let total = sliced[start..<end].reduce(0, +)
                let nonEmpty = sliced[start..<end].filter { $0 > 0 }.count
                guard nonEmpty > 0 else { continue }
                for j in start..<end where sliced[j] > 0 { q[j] = total / Double(nonEmpty) }
            }
            let pSum = p.reduce(0, +), qSum = q.reduce(0, +)
            guard pSum > 0, qSum > 0 else { continue }
            var divergence = 0.0
            for j in 0..<i where p[j] > 0 {
                let pj = p[j] / pSum
                // Mass q misses entirely (the clipped tail) is charged as if q held one count there.
                let qj = q[j] > 0 ? q[j] / qSum : 1 / qSum
                divergence += pj * Foundation.log(pj / qj)
            }
            if divergence < best.divergence { best = (divergence, i) }
        }
        return absMax * Double(best.bin) / Double(bins)
    }

    /// Shrinks the range step by step and keeps the one with the least expected squared error:
    /// rounding error (step²/12 per in-range value) plus clipping error for values outside.
    func mseRange(type: DataType) -> (Double, Double) {
        let (qmin, qmax) = QuantParams.range(of: type)
        let levels = Double(qmax - qmin)
        var best = (error: Double.infinity, lo: min, hi: max)
        for step in 0...60 {
            let factor = 1 - Double(step) / 100
            let lo = Swift.min(0, min * factor), hi = Swift.max(0, max * factor)
            let scale = (hi - lo) / levels
            guard scale > 0 else { continue }
            var error = 0.0
            for (bin, count) in histogram.enumerated() where count > 0 {
                let x = min + (Double(bin) + 0.5) * width
                if x < lo { error += count * (lo - x) * (lo - x) } else if x > hi { error += count * (x - hi) * (x - hi) } else { error += count * scale * scale / 12 }
            }
            if error < best.error { best = (error, lo, hi) }
        }
        return (best.lo, best.hi)
    }
}

/// Runs a float model over calibration samples and records statistics of every float value.
public enum ActivationRecorder {
    /// Statistics for `names` (float32 values of the model), over every sample; two passes when
    /// the method needs a histogram. With more than one thread the samples are split into
    /// contiguous runs, each on its own thread of one session; minima, maxima and histogram counts (whole numbers,
    /// exact in a Double) merge to the same values in any order, so the statistics do not
    /// depend on the thread count.
    public static func record(model: Model, names: [String], samples: [[String: Tensor]], method: CalibrationMethod,
                              threads: Int) throws -> [String: ActivationStatistics] {
        try recordKeepingOutputs(model: model, names: names, samples: samples, method: method, threads: threads, keepOutputs: false).statistics
    }

    /// The most output bytes `recordKeepingOutputs` holds by default; past it the outputs are dropped
    /// (a caller runs the model again instead of holding, say, 200 segmentation maps).
    public static let keptOutputBytes = 256 << 20

    /// As `record`; with `keepOutputs`, also the model's outputs on every sample (by output
    /// name, in sample order), from the same runs, so that a caller verifying against this
    /// model need not run it again; nil when not asked for or over `keptOutputBytes`.
    /// `session`, a session of `model` made with `threads`, is used instead of making one.
    public static func recordKeepingOutputs(model: Model, names: [String], samples: [[String: Tensor]], method: CalibrationMethod,
                                            threads: Int, keepOutputs: Bool = true, outputBudget: Int = keptOutputBytes,
                                            session: InferenceSession? = nil) throws
        -> (statistics: [String: ActivationStatistics], outputs: [[String: Tensor]]?) {
        // Each value is seen as it is computed and then freed, so a run holds no more than
        // inference does (listing every value as a graph output would keep them all alive).
        let workers = Swift.max(1, Swift.min(threads, samples.count))
        let session = try session ?? InferenceSession(model: model, options: SessionOptions(threads: threads))
        let runThreads = workers == 1 ? threads : 1
        let wanted = Set(names)
        // First pass: ranges, and the outputs by sample while they fit the budget.
        let kept = ByteTally(limit: keepOutputs ? outputBudget : -1)
        let (firstPass, perSample) = try merged(workers: workers, samples: samples) { index, local -> [String: Tensor]? in
            let outputs = try session.run(samples[index], threads: runThreads, observing: wanted) { name, value in
                guard value.dataType == .float32 else { return }
                let (lo, hi) = value.withElements(as: Float.self) { finiteRange($0) }
                if var s = local[name] {
                    s.min = Swift.min(s.min, lo)
                    s.max = Swift.max(s.max, hi)
                    local[name] = s
                } else {
                    local[name] = ActivationStatistics(min: lo, max: hi, histogram: [])
                }
            }
            guard kept.admit(outputs.reduce(0) { $0 + $1.byteCount }) else { return nil }
            return Dictionary(zip(session.outputNames, outputs), uniquingKeysWith: { first, _ in first })
        } combine: { a, b in
            ActivationStatistics(min: Swift.min(a.min, b.min), max: Swift.max(a.max, b.max), histogram: [])
        }
        let outputs = keepOutputs && !kept.exceeded ? perSample.compactMap { $0 } : nil
        var stats = firstPass
        guard method != .minmax else { return (stats, outputs) }
        let ranges = stats
        // Second pass: histograms over the ranges found.
        let histograms = try merged(workers: workers, samples: samples) { index, local in
            _ = try session.run(samples[index], threads: runThreads, observing: wanted) { name, value in
                guard let found = ranges[name], found.max > found.min, value.dataType == .float32 else { return }
                var s = local[name] ?? ActivationStatistics(min: found.min, max: found.max, histogram: [])
                if s.histogram.isEmpty {
                    s.histogram = [Double](repeating: 0, count: ActivationStatistics.bins)
                    if method == .entropy { s.absoluteHistogram = [Double](repeating: 0, count: ActivationStatistics.bins) }
                }
                let bins = ActivationStatistics.bins
                let scale = Double(bins) / (s.max - s.min)
                let absScale = Double(bins) / Swift.max(abs(s.min), abs(s.max))
                let entropy = method == .entropy
                value.withElements(as: Float.self) { values in
                    for v in values where v.isFinite {
                        let bin = Swift.min(bins - 1, Swift.max(0, Int((Double(v) - s.min) * scale)))
                        s.histogram[bin] += 1
                        // Exact zeros (ReLU's spike) are exact in every quantization; left in, they
                        // would swamp the divergence of the first group and favour clipping.
                        if entropy && v != 0 { s.absoluteHistogram[Swift.min(bins - 1, Int(abs(Double(v)) * absScale))] += 1 }
                    }
                }
                local[name] = s
            }
        } combine: { a, b in
            var c = a
            for i in c.histogram.indices { c.histogram[i] += b.histogram[i] }
            for i in c.absoluteHistogram.indices { c.absoluteHistogram[i] += b.absoluteHistogram[i] }
            return c
        }
        for (name, s) in histograms.0 { stats[name] = s }
        for name in stats.keys where stats[name]!.histogram.isEmpty {
            stats[name]!.histogram = [Double](repeating: 0, count: ActivationStatistics.bins)
            if method == .entropy { stats[name]!.absoluteHistogram = [Double](repeating: 0, count: ActivationStatistics.bins) }
        }
        return (stats, outputs)
    }

    /// The smallest and largest finite values (±infinity when there are none).
    static func finiteRange(_ values: UnsafeBufferPointer<Float>) -> (Double, Double) {
        guard let base = values.baseAddress, values.count > 0 else { return (.infinity, -.infinity) }
        var lo = Float.infinity, hi = -Float.infinity
        ferry_finite_range_f32(base, values.count, &lo, &hi)
        return (Double(lo), Double(hi))
    }

    /// Runs `body` on every sample on `workers` threads, each worker taking the next sample and
    /// folding its statistics into its own; merges the workers' statistics with `combine`
    /// (minima, maxima and whole counts: exact, so the grouping does not change the result)
    /// and returns what `body` gave for each sample, in sample order.
    private static func merged<T>(workers: Int, samples: [[String: Tensor]],
                                  _ body: (Int, inout [String: ActivationStatistics]) throws -> T,
                                  combine: (ActivationStatistics, ActivationStatistics) -> ActivationStatistics) throws
        -> ([String: ActivationStatistics], [T]) {
        let (results, parts) = try ConcurrentWork.map(samples.count, workers: workers, state: { [String: ActivationStatistics]() }, body)
        var total: [String: ActivationStatistics] = [:]
        for part in parts {
            for (name, s) in part {
                total[name] = total[name].map { combine($0, s) } ?? s
            }
        }
        return (total, results)
    }
}

/// Bytes kept across workers, up to a limit (a negative limit keeps nothing).
private final class ByteTally: Sendable {
    private let total = Atomic<Int>(0)
    private let limit: Int

    init(limit: Int) { self.limit = limit }

    /// Counts `bytes` in; false once the total is over the limit.
    func admit(_ bytes: Int) -> Bool {
        guard limit >= 0 else { return false }
        return total.wrappingAdd(bytes, ordering: .relaxed).newValue <= limit
    }

    var exceeded: Bool { limit < 0 || total.load(ordering: .relaxed) > limit }
}
