import FerryIR

/// What `Verifier.run` found: drift per output against the budget, and per layer.
///
/// `json()`, `markdown()` and `junit()` render it as deterministic text: fixed key order, fixed
/// number formatting, no timestamps, so the same models and samples give byte-identical reports
/// whatever the thread count.
public struct DriftReport: Sendable {
    /// How the report names the two models (file paths in the CLI).
    public var source: String
    public var candidate: String
    public var sampleCount: Int
    /// The samples per-layer drift was measured on (the first ones; 0 when not measured).
    public var layerSampleCount: Int
    public var budget: DriftBudget
    /// The per-layer bound; empty when per-layer drift was not measured.
    public var layerBound: DriftBudget
    /// One entry per source output, in graph order.
    public var outputs: [OutputDrift]
    /// Values present in both models and comparable as floats, in the source's topological order.
    public var layers: [LayerDrift]
    /// Values of the source graph that were not compared (integer, absent from the candidate, or
    /// of another shape there).
    public var layersSkipped: Int

    /// Every check of a bound that failed, output by output.
    public var violations: [BoundCheck] { outputs.flatMap { $0.checks.filter { !$0.passed } } }
    /// True when every output is within its budget.
    public var passed: Bool { violations.isEmpty }
    /// The first layer, in topological order, whose drift passes the per-layer bound.
    public var firstDrift: LayerDrift? { layers.first { !$0.exceeded.isEmpty } }
}

/// Drift of one graph output.
public struct OutputDrift: Sendable {
    public var name: String
    public var sourceType: DataType
    public var candidateType: DataType
    /// The candidate's (or source's) integer output was dequantized before comparing.
    public var dequantized: Bool
    /// Both sides compared as floating-point values (global bounds apply).
    public var floating: Bool
    /// The output's shape on the first sample.
    public var shape: [Int]
    public var classifier: Bool
    public var drift: AggregateDrift
    /// The bounds that apply to this output, checked, in metric order.
    public var checks: [BoundCheck]
}

/// A bound checked against a measured value.
public struct BoundCheck: Sendable {
    public var output: String
    public var bound: DriftBound
    public var value: Double
    public var passed: Bool
}

/// Drift of one intermediate value.
public struct LayerDrift: Sendable {
    /// Position among the compared layers (0-based).
    public var index: Int
    public var value: String
    /// The source node that computes the value.
    public var node: String
    public var opType: String
    public var dequantized: Bool
    public var drift: AggregateDrift
    /// The per-layer bounds this value's drift passes (empty when within them).
    public var exceeded: [DriftBound]
}
