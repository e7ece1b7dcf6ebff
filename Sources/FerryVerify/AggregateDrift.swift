/// Drift of one output (or intermediate value) over every sample.
///
/// How samples are combined, per metric (budgets check the first value of each line):
/// - `maxAbs`: the largest error in any element of any sample;
/// - `meanAbs`: the mean error over all elements of all samples;
/// - `rel`, `cosine`, `snrDB`: the worst sample (largest rel, smallest cosine and SNR), with the
///   mean over samples beside them as `relMean`, `cosineMean`, `snrDBMean`;
/// - `top1`, `topK`: the fraction of decisions (rows of the last axis, over all samples) that
///   agree; nil for outputs that are not classifiers.
public struct AggregateDrift: Sendable, Equatable {
    public var samples: Int
    public var maxAbs: Double
    public var meanAbs: Double
    public var rel: Double
    public var relMean: Double
    public var cosine: Double
    public var cosineMean: Double
    public var snrDB: Double
    public var snrDBMean: Double
    public var top1: Double?
    public var topK: Double?
    /// The k of `topK` (the requested k capped at the number of classes).
    public var k: Int?

    /// The value a budget on `metric` is checked against; nil when it does not apply.
    public func value(of metric: DriftMetric) -> Double? {
        switch metric {
        case .maxAbs: return maxAbs
        case .meanAbs: return meanAbs
        case .rel: return rel
        case .cosine: return cosine
        case .snrDB: return snrDB
        case .top1: return top1
        case .topK: return topK
        }
    }
}

/// Pools per-sample comparisons into an `AggregateDrift`.
public struct DriftAccumulator: Sendable {
    private var samples = 0
    private var elements = 0
    private var maxAbs = 0.0
    private var sumAbs = 0.0
    private var nonFinite = false
    private var worst = (rel: 0.0, cosine: 1.0, snr: Double.infinity)
    private var sums = (rel: 0.0, cosine: 0.0, snr: 0.0)
    private var decisions = (rows: 0, top1: 0, topK: 0, k: 0)
    private var scored = false
    private let k: Int

    /// `k` is the top-k of agreement scores (capped at each sample's number of classes).
    public init(k: Int = 5) {
        self.k = k
    }

    /// Adds one sample: reference and candidate values of equal length; with `classes` (the
    /// last dimension), also scores top-1/top-k agreement of each row.
    public mutating func add(reference: [Double], candidate: [Double], classes: Int? = nil) {
        add(PairSums(reference, candidate))
        if let classes, classes > 0 {
            scored = true
            let agreement = Agreement.compare(reference: reference, candidate: candidate, classes: classes, k: k)
            decisions.rows += agreement.rows
            decisions.top1 += agreement.top1
            decisions.topK += agreement.topK
            decisions.k = agreement.k
        }
    }

    /// Adds one sample's sums (no agreement scoring).
    mutating func add(_ pair: PairSums) {
        let m = pair.metrics
        samples += 1
        elements += pair.count
        nonFinite = nonFinite || pair.nonFinite
        maxAbs = max(maxAbs, pair.maxAbs)
        sumAbs += pair.sumAbs
        worst.rel = worse(worst.rel, m.rel, larger: true)
        worst.cosine = worse(worst.cosine, m.cosine, larger: false)
        worst.snr = worse(worst.snr, m.snrDB, larger: false)
        sums.rel += m.rel
        sums.cosine += m.cosine
        sums.snr += m.snrDB
    }

    /// NaN is worse than anything, so it sticks.
    private func worse(_ a: Double, _ b: Double, larger: Bool) -> Double {
        if a.isNaN || b.isNaN { return .nan }
        return larger ? max(a, b) : min(a, b)
    }

    /// Rows scored so far and how many agree at top-1 and top-k.
    var agreement: (rows: Int, top1: Int, topK: Int) { (decisions.rows, decisions.top1, decisions.topK) }

    public var result: AggregateDrift {
        let n = Double(max(samples, 1))
        let hasClasses = scored && decisions.rows > 0
        return AggregateDrift(
            samples: samples,
            maxAbs: nonFinite ? .infinity : maxAbs,
            meanAbs: nonFinite ? .infinity : (elements == 0 ? 0 : sumAbs / Double(elements)),
            rel: worst.rel, relMean: sums.rel / n,
            cosine: worst.cosine, cosineMean: sums.cosine / n,
            snrDB: worst.snr, snrDBMean: sums.snr / n,
            top1: hasClasses ? Double(decisions.top1) / Double(decisions.rows) : nil,
            topK: hasClasses ? Double(decisions.topK) / Double(decisions.rows) : nil,
            k: hasClasses ? decisions.k : nil)
    }
}
