/// One limit: `metric` of `output` (every output when nil) must stay within `value`.
public struct DriftBound: Sendable, Hashable {
    public var output: String?
    public var metric: DriftMetric
    public var value: Double

    public init(output: String? = nil, metric: DriftMetric, value: Double) {
        self.output = output
        self.metric = metric
        self.value = value
    }

    /// The flag spelling: `METRIC=VALUE` or `OUTPUT:METRIC=VALUE`.
    public var token: String {
        (output.map { "\($0):" } ?? "") + "\(metric.rawValue)=\(ReportNumber.plain(value))"
    }

    /// `metric op value` for reports, e.g. `cosine >= 0.99`.
    public var condition: String { "\(metric.rawValue) \(metric.comparison) \(ReportNumber.plain(value))" }
}

/// The drift a candidate may show before `ferry verify` (and `ferry convert`) fail.
///
/// Bounds without an output apply to every output whose compared values are floating point
/// (float outputs, and integer outputs dequantized through their QuantizeLinear); `top1`/`topk`
/// bounds apply only to classifier outputs. Integer outputs compared by value (labels, indices)
/// are checked only by bounds that name them. A bound naming an output applies to that output
/// alone (an agreement bound makes it a classifier).
public struct DriftBudget: Sendable, Equatable, CustomStringConvertible {
    /// The bounds, at most one per (output, metric), in the order given.
    public private(set) var bounds: [DriftBound]

    public init(_ bounds: [DriftBound] = []) {
        self.bounds = []
        for bound in bounds { set(bound) }
    }

    /// No bounds: every candidate passes (`--max-drift none`).
    public static let none = DriftBudget()

    /// The budget when none is given: every float output keeps cosine similarity ≥ 0.99 on its
    /// worst sample, and every classifier output makes the reference's top-1 decision on ≥ 99%
    /// of rows.
    ///
    /// Why these: a cosine of 0.99 is a relative error near 0.14 (about 17 dB SNR), which a
    /// sound int8 per-channel conversion of a CNN or transformer clears on every sample (they
    /// typically reach 25–40 dB), while a broken one (a wrong scale, a swapped layout, a
    /// saturated layer) falls well below it. Checking the worst sample rather than the mean keeps
    /// one badly served input from hiding in an average. Top-1 at 99% is the property users see
    /// of a classifier; it is a fraction of decisions, so it tolerates the rare near-tie that flips.
    public static let `default` = DriftBudget([
        DriftBound(metric: .cosine, value: 0.99),
        DriftBound(metric: .top1, value: 0.99),
    ])

    /// The per-layer bound when none is given: cosine ≥ 0.99 on the worst sample.
    public static let defaultLayerBound = DriftBudget([DriftBound(metric: .cosine, value: 0.99)])

    public var isEmpty: Bool { bounds.isEmpty }

    /// Adds `bound`, replacing an earlier bound on the same output and metric.
    public mutating func set(_ bound: DriftBound) {
        if let index = bounds.firstIndex(where: { $0.output == bound.output && $0.metric == bound.metric }) {
            bounds[index] = bound
        } else {
            bounds.append(bound)
        }
    }

    /// This budget with `overrides` applied on top (flags over a config file).
    public func merged(with overrides: DriftBudget) -> DriftBudget {
        var result = self
        for bound in overrides.bounds { result.set(bound) }
        return result
    }

    /// The bounds that check `output`: its own, then the global ones it has no own bound for.
    public func bounds(for output: String, floating: Bool, classifier: Bool) -> [DriftBound] {
        let own = bounds.filter { $0.output == output }
        let global = bounds.filter { bound in
            bound.output == nil && floating && (!bound.metric.isAgreement || classifier)
                && !own.contains { $0.metric == bound.metric }
        }
        return (own + global).sorted { $0.metric < $1.metric }
    }

    /// Output names the bounds refer to.
    public var namedOutputs: [String] {
        var seen: [String] = []
        for bound in bounds { if let output = bound.output, !seen.contains(output) { seen.append(output) } }
        return seen
    }

    /// The bounds as flags would spell them, space separated (`none` when empty).
    public var description: String {
        bounds.isEmpty ? "none" : bounds.map(\.token).joined(separator: " ")
    }
}
