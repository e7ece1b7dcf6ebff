import Dispatch
import FerryIR
import FerryPasses
import FerryRuntime
import FerryVerify
import TensorIO

/// A layer left in float by the mixed-precision search, and why.
public struct FloatLayer: Sendable, Equatable {
    public var node: String
    public var opType: String
    /// What quantizing this layer alone costs: the worst output cosine similarity to float.
    public var sensitivity: Double
    public var reason: String
    /// Every node kept in float with it (its fused activation).
    public var members: [String]
}

/// Finds the fewest layers to keep in float so that the quantized model meets the budget.
///
/// Each quantizable layer's sensitivity is measured by quantizing it alone and comparing the
/// model's outputs with the float model's (worst cosine similarity over the samples). Layers
/// are then kept in float most sensitive first; a binary search over that order finds the
/// shortest prefix whose quantized model meets the budget (drift falls as layers return to
/// float, so the search is monotone in practice; the final model is verified regardless).
/// The float model's outputs are computed once for all evaluations, and with more than one
/// thread the layers' sensitivities are measured side by side (each on its own session, so the
/// values do not depend on the thread count).
struct MixedPrecisionSearch {
    /// A layer the search may keep in float: its first node and every node kept with it.
    typealias Group = (head: Node, members: [String])

    let float: Model
    let samples: SampleSet
    let budget: DriftBudget
    let candidateOptions: SessionOptions
    let sourceOptions: SessionOptions
    /// The layers, grouped as the quantized model runs them.
    let groups: [Group]
    /// The model quantized with the given nodes kept in float; `final` is the model as
    /// written, the others are what the search compares (float inputs and outputs).
    let quantizer: (_ keep: Set<String>, _ final: Bool) throws -> Model
    /// A session of `float` made with `sourceOptions` (calibration's), used instead of making one.
    var floatSession: InferenceSession?
    /// The float model's outputs on `samples` (calibration's runs), so the search need not run them again.
    var floatOutputs: [[String: Tensor]]?

    func quantize(keeping keep: Set<String>, final: Bool = false) throws -> Model {
        try quantizer(keep, final)
    }

    /// Full-integer quantization (QDQ): the search compares float outputs on float samples, so
    /// candidates keep float inputs and outputs; only the final model has the integer inputs and
    /// outputs the user may have asked for (quantizing an input is exact).
    static func integer(float: Model, statistics: [String: ActivationStatistics], options: QuantizationOptions, samples: SampleSet,
                        budget: DriftBudget, candidateOptions: SessionOptions, sourceOptions: SessionOptions) -> MixedPrecisionSearch {
        // Without a budget there is nothing to search, and no groups to plan.
        MixedPrecisionSearch(float: float, samples: samples, budget: budget, candidateOptions: candidateOptions, sourceOptions: sourceOptions,
                             groups: budget.isEmpty ? [] : layerGroups(float, QDQQuantizer(options: options, statistics: statistics))) { keep, final in
            var options = options
            if !final { options.floatInputsOutputs = true }
            options.keepFloat.formUnion(keep)
            return try QDQQuantizer(options: options, statistics: statistics).apply(to: float)
        }
    }

    /// Weight-only quantization (`fp16`, `dynamic`): each layer whose weights it converts is one group.
    static func weightOnly(float: Model, quantizer: WeightOnlyQuantizer, samples: SampleSet, budget: DriftBudget,
                           candidateOptions: SessionOptions, sourceOptions: SessionOptions) -> MixedPrecisionSearch {
        let groups = quantizer.layerNodes(float.graph).filter { !$0.name.isEmpty }.map { (head: $0, members: [$0.name]) }
        return MixedPrecisionSearch(float: float, samples: samples, budget: budget, candidateOptions: candidateOptions,
                                    sourceOptions: sourceOptions, groups: groups) { keep, _ in
            var quantizer = quantizer
            quantizer.keepFloat.formUnion(keep)
            return try quantizer.apply(to: float)
        }
    }

    /// Quantizable layers grouped as the integer model runs them: an activation fused into its
    /// producer (Conv → Relu) stays with it.
    static func layerGroups(_ float: Model, _ planner: QDQQuantizer) -> [Group] {
        let nodes = planner.quantizedNodes(float.graph).filter { !$0.name.isEmpty }
        let producers = float.graph.producers()
        let consumers = float.graph.consumers()
        var groups: [Group] = []
        var groupOf: [String: Int] = [:]
        for node in nodes {
            if QuantizationTrait.fusable.contains(node.opType), let source = node.input(0),
               consumers[source]?.count == 1, let p = producers[source], let group = groupOf[float.graph.nodes[p].name] {
                groups[group].members.append(node.name)
                groupOf[node.name] = group
                continue
            }
            groupOf[node.name] = groups.count
            groups.append((node, [node.name]))
        }
        return groups
    }

    /// The drift report of `candidate` against the float model (every sample, unless one already
    /// fails for good), without per-layer drift; `reference` keeps the float outputs once the
    /// first report made them (with `floatSession`, the one session of the float model the
    /// search makes).
    func report(_ candidate: Model, reference: inout [[String: Tensor]]?, floatSession: InferenceSession) throws -> DriftReport {
        let verifier = try Verifier(source: float, candidate: candidate, sourceOptions: sourceOptions, candidateOptions: candidateOptions,
                                    sourceSession: floatSession)
        if reference == nil { reference = try verifier.sourceOutputs(samples: samples) }
        // Only the verdict is used: a candidate stops at its first sample that fails for good.
        return try verifier.run(samples: samples, budget: budget, layerBound: DriftBudget(), sourceOutputs: reference, stopAtFailure: true)
    }

    /// What quantizing each group alone costs: the worst output cosine against the float
    /// outputs (`reference`) over the sensitivity samples.
    ///
    /// A model with one layer quantized computes what the float model computes up to that
    /// layer, so each of its runs starts there (`resumePoint`) from the float values, which one
    /// float run per sample, advanced through the groups in order, provides; a sample whose
    /// values that run has freed already runs whole, as do samples whose float runs are let go when
    /// together they hold more than `heldFloatBytes`. The values are those of whole runs, so the
    /// result does not depend on this, nor on the thread count (every run is single-threaded;
    /// the samples of a group run side by side).
    func sensitivities(reference: [[Tensor]], floatSession: InferenceSession) throws -> [Double] {
        let everyLayer = Set(groups.flatMap(\.members))
        let samples = sensitivitySamples.samples
        var floatRuns: [StepwiseRun?] = try samples.map { try floatSession.start($0, threads: 1, observing: []) }
        let workers = max(1, min(candidateOptions.threads, samples.count))
        // Groups in the order their runs start: the float runs only move forward.
        let nodes = Dictionary(float.graph.nodes.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        let starts = groups.map { group in
            group.members.compactMap { nodes[$0] }.flatMap(\.inputs).filter { !$0.isEmpty }
                .compactMap { floatSession.stepComputing($0) }.filter { $0 >= 0 }.min() ?? -1
        }
        let order = groups.indices.sorted { (starts[$0], $0) < (starts[$1], $1) }
        var result = [Double](repeating: 1, count: groups.count)
        let search = self
        func session(_ index: Int) throws -> InferenceSession {
            try InferenceSession(model: try search.quantize(keeping: everyLayer.subtracting(search.groups[index].members)),
                                 options: search.candidateOptions)
        }
        // With more than one thread, each group's session is made while the one before runs
        // its samples (one that fails there is made again in turn, to report its error).
        var made: InferenceSession?
        for (position, index) in order.enumerated() {
            let alone = try made ?? session(index)
            let point = alone.resumePoint(sharingWith: floatSession)
            let runs = floatRuns
            let following = position + 1 < order.count ? order[position + 1] : nil
            let measure = {
                try ConcurrentWork.map(samples.count, workers: workers) { sample in
                    let outputs: [Tensor]
                    if point.skippedSteps > 0, let given = try runs[sample]?.values(point.names) {
                        outputs = try alone.run(resumingAt: point, given: given, threads: 1)
                    } else {
                        outputs = try alone.run(samples[sample], threads: 1)
                    }
                    var worst = 1.0
                    for (a, b) in zip(reference[sample], outputs) where a.dataType == .float32 && b.dataType == .float32 {
                        worst = min(worst, try DriftMetrics.compare(reference: a, candidate: b).cosine)
                    }
                    return worst
                }
            }
            let worst: [Double]
            if workers > 1, let following {
                let next = SessionSlot()
                worst = try ConcurrentWork.run(measure) { next.session = try? session(following) }
                made = next.session
            } else {
                worst = try measure()
                made = nil
            }
            result[index] = worst.min() ?? 1.0
            // Large activations: the last samples' float runs go (those samples then run whole).
            var held = floatRuns.reduce(0) { $0 + ($1?.heldBytes ?? 0) }
            while held > Self.heldFloatBytes, let last = floatRuns.lastIndex(where: { $0 != nil }) {
                held -= floatRuns[last]?.heldBytes ?? 0
                floatRuns[last] = nil
            }
        }
        return result
    }

    /// At most this many bytes of float values are held for sensitivity runs to start from.
    static let heldFloatBytes = 256 << 20

    /// Samples for the per-layer sensitivity runs (a few are enough to rank layers).
    var sensitivitySamples: SampleSet { samples.prefix(8) }

    func run() throws -> (Model, [FloatLayer], evaluations: Int) {
        var evaluations = 1
        if budget.isEmpty { return (try quantize(keeping: [], final: true), [], evaluations) }
        var outputs = floatOutputs?.count == samples.count ? floatOutputs : nil
        let floatSession = try self.floatSession ?? InferenceSession(model: float, options: sourceOptions)
        if try report(try quantize(keeping: []), reference: &outputs, floatSession: floatSession).passed {
            return (try quantize(keeping: [], final: true), [], evaluations)
        }
        let names = floatSession.outputNames
        let reference = try sensitivitySamples.samples.indices.map { index in
            try outputs.map { stored in names.map { stored[index][$0]! } } ?? floatSession.run(sensitivitySamples.samples[index])
        }
        let sensitivity = try sensitivities(reference: reference, floatSession: floatSession)
        evaluations += groups.count
        let order = groups.indices.sorted { (sensitivity[$0], groups[$0].head.name) < (sensitivity[$1], groups[$1].head.name) }
        func keeping(_ count: Int) -> Set<String> { Set(order.prefix(count).flatMap { groups[$0].members }) }
        // Binary search the shortest prefix of `order` to keep in float.
        var lo = 1, hi = order.count
        var best: Int?
        while lo <= hi {
            let mid = (lo + hi) / 2
            let candidate = try quantize(keeping: keeping(mid))
            evaluations += 1
            if try report(candidate, reference: &outputs, floatSession: floatSession).passed {
                best = mid
                hi = mid - 1
            } else {
                lo = mid + 1
            }
        }
        guard let best else {
            throw ConversionError.budgetUnreachable(
                "the drift budget (\(budget)) is not met even with every quantizable layer in float; loosen --max-drift or use --max-drift none")
        }
        let kept = order.prefix(lo).map { index in
            FloatLayer(node: groups[index].head.name, opType: groups[index].head.opType, sensitivity: sensitivity[index],
                       reason: "quantizing it alone lowers the worst output cosine to \(String(format: "%.5f", sensitivity[index]))"
                           + (groups[index].members.count > 1 ? " (with its fused \(groups[index].members.dropFirst().joined(separator: ", ")))" : ""),
                       members: groups[index].members)
        }
        return (try quantize(keeping: keeping(best), final: true), kept, evaluations)
    }
}
