/// The drift metrics a budget can bound, named as on the command line.
///
/// Error metrics (`max_abs`, `mean_abs`, `rel`) are upper bounds; similarity and agreement
/// metrics (`cosine`, `snr_db`, `top1`, `topk`) are lower bounds.
public enum DriftMetric: String, CaseIterable, Sendable, Hashable, Comparable {
    case maxAbs = "max_abs"
    case meanAbs = "mean_abs"
    case rel
    case cosine
    case snrDB = "snr_db"
    case top1
    case topK = "topk"

    /// True when the budget value is a ceiling (`value <= bound` passes).
    public var isUpperBound: Bool { self == .maxAbs || self == .meanAbs || self == .rel }

    /// True for the classifier metrics, which exist only for classifier outputs.
    public var isAgreement: Bool { self == .top1 || self == .topK }

    /// `<=` for upper bounds, `>=` for lower bounds.
    public var comparison: String { isUpperBound ? "<=" : ">=" }

    /// Whether `value` is within `bound`; NaN never is.
    public func allows(_ value: Double, bound: Double) -> Bool {
        isUpperBound ? value <= bound : value >= bound
    }

    /// The values a bound may take: errors are non-negative, cosine lies in [-1, 1], agreement
    /// is a fraction.
    func accepts(bound: Double) -> Bool {
        guard bound.isFinite else { return false }
        switch self {
        case .maxAbs, .meanAbs, .rel: return bound >= 0
        case .cosine: return bound >= -1 && bound <= 1
        case .snrDB: return true
        case .top1, .topK: return bound >= 0 && bound <= 1
        }
    }

    public static func < (a: DriftMetric, b: DriftMetric) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }

    static var names: String { allCases.map(\.rawValue).joined(separator: ", ") }
}
