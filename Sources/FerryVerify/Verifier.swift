import Dispatch
import FerryIR
import FerryRuntime
import TensorIO

/// Runs a source model and a candidate (optimized, quantized) model in the reference core on the
/// same samples and measures how far the candidate drifts, per output and per layer.
///
/// ```swift
/// let verifier = try Verifier(source: float, candidate: int8)
/// let report = try verifier.run(samples: try SampleSet.load(specs: ["eval.npz"], inputs: float.graph.runtimeInputs))
/// if !report.passed { print(report.markdown()) }
/// ```
/// A candidate in QDQ form with integer inputs or outputs is fed float samples quantized with
/// the parameters of the DequantizeLinear reading each integer input, and its integer outputs
/// (and activations) are dequantized with their QuantizeLinear (DequantizeLinear) parameters
/// before comparing. Values are paired by name, which Ferry's passes keep.
public final class Verifier {
    public let source: Model
    public let candidate: Model
    public let sourceOptions: SessionOptions
    public let candidateOptions: SessionOptions
    /// How errors and reports name the models.
    public let sourceLabel: String
    public let candidateLabel: String

    /// Candidate values stored in another axis order than the source's (a TFLite file keeps
    /// NCHW values as NHWC): value name → `perm`, the candidate holding `transpose(source, perm)`.
    /// Per-layer drift compares them in the source's order; values missing here are compared as
    /// they are when their shapes agree.
    public var candidateLayouts: [String: [Int]] = [:]

    let sourceBoundary: IntegerBoundary
    let candidateBoundary: IntegerBoundary
    /// The sessions, made once (per-layer runs observe values as they are computed; no session
    /// lists every intermediate as an output).
    private let sessions: (source: InferenceSession, candidate: InferenceSession)

    /// Prepares both models (so a model that cannot run is reported before any sample is read).
    /// `sourceSession`, a session of `source` made with `sourceOptions`, is used instead of
    /// making another (a search comparing one source with many candidates makes it once).
    public init(source: Model, candidate: Model, sourceOptions: SessionOptions = SessionOptions(),
                candidateOptions: SessionOptions = SessionOptions(), sourceLabel: String = "source",
                candidateLabel: String = "candidate", sourceSession: InferenceSession? = nil) throws {
        self.source = source
        self.candidate = candidate
        self.sourceOptions = sourceOptions
        self.candidateOptions = candidateOptions
        self.sourceLabel = sourceLabel
        self.candidateLabel = candidateLabel
        sourceBoundary = IntegerBoundary(model: source)
        candidateBoundary = IntegerBoundary(model: candidate)
        func make(_ model: Model, _ options: SessionOptions, _ label: String) throws -> InferenceSession {
            do {
                return try InferenceSession(model: model, options: options)
            } catch let error as RuntimeError {
                throw VerifyError.model(label, message: error.description)
            }
        }
        // Made side by side when there are threads to spare (each packs its own weights).
        sessions = try ConcurrentWork.both({ try sourceSession ?? make(source, sourceOptions, sourceLabel) },
                                           { try make(candidate, candidateOptions, candidateLabel) },
                                           concurrently: sourceSession == nil && max(sourceOptions.threads, candidateOptions.threads) > 1)
    }

    /// How many samples per-layer drift is measured on by default: enough to find where drift
    /// starts; every sample still counts for the outputs, which decide pass or fail. Per-layer
    /// runs keep every intermediate alive and compare each one, several times the cost of a run.
    public static let defaultLayerSamples = 8

    /// Runs every sample through both models and checks the outputs against `budget`.
    ///
    /// - Parameters:
    ///   - layerBound: per-layer bound for finding the first drifting layer; an empty budget
    ///     skips per-layer drift (and the memory that holding every intermediate takes).
    ///   - layerSamples: per-layer drift is measured on the first `layerSamples` samples (nil:
    ///     all of them); outputs are compared on every sample.
    ///   - topK: the k of top-k agreement (capped at each classifier's number of classes).
    ///   - classifiers: the outputs to score for top-1/top-k agreement; nil picks every float
    ///     output whose last dimension is above 1.
    ///   - sourceOutputs: the source's outputs on these samples, from `sourceOutputs(samples:)`
    ///     when the same source is compared with several candidates (the mixed-precision search),
    ///     or from runs of a model computing the same values (`ferry convert`'s calibration):
    ///     samples that need no per-layer run then run the candidate alone. The per-layer
    ///     samples run the source regardless, and their outputs must match these bit for bit
    ///     (else `VerifyError.storedOutputsDiffer`).
    ///   - stopAtFailure: stop as soon as an output breaks a bound no further sample can bring
    ///     back (`overBudgetForGood`): the report then covers the samples run so far and fails,
    ///     as the full report would (for callers that only need the verdict: the search).
    public func run(samples: SampleSet, budget: DriftBudget = .default, layerBound: DriftBudget = .defaultLayerBound,
                    layerSamples: Int? = Verifier.defaultLayerSamples, topK: Int = 5, classifiers: [String]? = nil,
                    sourceOutputs: [[String: Tensor]]? = nil, stopAtFailure: Bool = false) throws -> DriftReport {
        guard samples.count > 0 else { throw VerifyError.noSamples }
        if let sourceOutputs, sourceOutputs.count != samples.count {
            throw VerifyError.model(sourceLabel, message: "\(sourceOutputs.count) stored outputs for \(samples.count) samples")
        }
        let outputNames = source.graph.outputs.map(\.name)
        for name in budget.namedOutputs where !outputNames.contains(name) {
            throw VerifyError.unknownOutput(context: "--max-drift \(name):…", name: name, outputs: outputNames)
        }
        for name in classifiers ?? [] where !outputNames.contains(name) {
            throw VerifyError.unknownOutput(context: "--classifier \(name)", name: name, outputs: outputNames)
        }
        let candidateOutputs = Set(candidate.graph.outputs.map(\.name))
        for name in outputNames where !candidateOutputs.contains(name) {
            throw VerifyError.missingOutput(candidate: candidateLabel, output: name, outputs: candidate.graph.outputs.map(\.name))
        }
        let perLayer = !layerBound.isEmpty
        let layerCount = perLayer ? min(samples.count, max(1, layerSamples ?? samples.count)) : 0
        let walk = perLayer ? try source.layerWalk() : (order: [], layers: [])
        let order = walk.order

        var outputs: [OutputState?] = Array(repeating: nil, count: outputNames.count)
        var layers: [String: LayerState] = [:]
        let pair = sessions
        // Per layer: what the candidate computes for each source value, and the integer value
        // its DequantizeLinear reads (integer kernels compute that one, not the float copy).
        let layerValues = walk.layers
        let seenAs = Dictionary(layerValues.map { ($0, candidateBoundary.requantized[$0] ?? $0) }, uniquingKeysWith: { a, _ in a })
        let candidateNames = Set(pair.candidate.valueNames)
        // The integer value only where the float copy is never formed: observing it would keep
        // the run from computing a QuantizeLinear and its DequantizeLinear as one pass.
        let candidateWanted = Set(seenAs.values).union(seenAs.values.filter { !candidateNames.contains($0) }
            .compactMap { candidateBoundary.quantizedBy[$0] })
        let sourceWanted = Set(layerValues)
        // Adds one sample's outputs to the per-output drift, in sample order.
        func accumulate(_ reference: [String: Tensor], _ computed: [String: Tensor]) throws {
            var result = computed
            for (name, perm) in candidateLayouts {
                if let stored = result[name] { result[name] = stored.restoringOrder(perm) }
            }
            for (index, name) in outputNames.enumerated() {
                let a = try comparable(reference[name]!, name: name, boundary: sourceBoundary)
                let b = try comparable(result[name]!, name: name, boundary: candidateBoundary)
                if a.floating && !b.floating && b.integer {
                    throw VerifyError.cannotCompare(output: name, reason: "\(candidateLabel) gives \(result[name]!.dataType) and no QuantizeLinear with constant parameters writes it, so it cannot be dequantized\(candidateBoundary.problems[name].map { " (\($0))" } ?? "")")
                }
                guard a.shape == b.shape else { throw VerifyError.outputShape(output: name, source: a.shape, candidate: b.shape) }
                if outputs[index] == nil {
                    let named = classifiers.map { $0.contains(name) }
                    let bounded = budget.bounds.contains { $0.output == name && $0.metric.isAgreement }
                    let classifier = named ?? (a.floating && b.floating && (a.shape.last ?? 1) > 1) || bounded
                    outputs[index] = OutputState(name: name, sourceType: reference[name]!.dataType, candidateType: result[name]!.dataType,
                                                 dequantized: a.dequantized || b.dequantized, floating: a.floating && b.floating,
                                                 shape: a.shape, classifier: classifier, accumulator: DriftAccumulator(k: topK))
                }
                outputs[index]!.accumulator.add(reference: a.values, candidate: b.values,
                                                classes: outputs[index]!.classifier ? max(a.shape.last ?? 1, 1) : nil)
            }
        }
        // One sample: the outputs of both models and, for the first `layerCount` samples, the
        // per-layer sums in the order the source computed the values. Intermediates are observed
        // as each run computes them, instead of listing them all as graph outputs (which would
        // keep every one alive): the candidate's are held, then each source value is compared
        // as soon as it exists and released.
        func compute(_ index: Int, threads: Int?) throws -> (reference: [String: Tensor], computed: [String: Tensor], layers: [LayerSums]) {
            let sample = samples.samples[index]
            guard index < layerCount else {
                let computed = try execute(pair.candidate, sample, candidateBoundary, candidateLabel, threads: threads)
                let reference = try sourceOutputs?[index] ?? execute(pair.source, sample, sourceBoundary, sourceLabel, threads: threads)
                return (reference, computed, [])
            }
            // Both models advance together: the source a node at a time, the candidate until
            // it has computed the counterpart of the source value just made (or has finished).
            // Candidate values wait in `held` only while the source has not caught up.
            var held: [String: Tensor] = [:]
            var produced: Set<String> = []
            var sums: [LayerSums] = []
            let candidateRun = try start(pair.candidate, sample, candidateBoundary, candidateLabel, threads: threads, observing: candidateWanted)
            let sourceRun = try start(pair.source, sample, sourceBoundary, sourceLabel, threads: threads, observing: sourceWanted)
            let keep: (String, Tensor) -> Void = { name, value in
                held[name] = value
                produced.insert(name)
            }
            while !sourceRun.finished {
                try sourceRun.advance { value, x in
                    let seen = seenAs[value] ?? value
                    // What the candidate will compute for it, if anything: waiting for a value it
                    // never makes would run it to the end and hold every value it observes.
                    if let target = [seen, candidateBoundary.quantizedBy[seen]].compactMap({ $0 }).first(where: candidateNames.contains) {
                        while !produced.contains(target) && !candidateRun.finished { try candidateRun.advance(keep) }
                    }
                    defer { held[seen] = nil }
                    var y = held[seen]
                    var name = seen
                    if y == nil, let integer = candidateBoundary.quantizedBy[seen], let stored = held[integer] {
                        (y, name) = (stored, integer)
                    }
                    guard var y else { return }
                    if let perm = candidateLayouts[name] ?? candidateLayouts[seen] { y = y.restoringOrder(perm) }
                    if let compared = compareLayer(value, x, y, candidateName: name, requantized: seen != value) { sums.append(compared) }
                }
            }
            held = [:]
            let reference = try sourceRun.outputs()
            let computed = try candidateRun.outputs()
            if let stored = sourceOutputs?[index] {
                for name in outputNames where !(stored[name].map { reference[name]!.hasSameBits(as: $0) } ?? false) {
                    throw VerifyError.storedOutputsDiffer(source: sourceLabel, output: name)
                }
            }
            return (reference, computed, sums)
        }
        // Samples are independent: with threads to spare they run side by side, one sample per
        // thread (each run single-threaded), and are added in sample order, so the report does
        // not depend on the thread count.
        let workers = max(sourceOptions.threads, candidateOptions.threads)
        // Outputs whose every sample has the same number of rows: the source declares a fixed
        // shape and every sample feeds the same shapes (agreement can then be projected).
        let uniformFeeds = samples.samples.allSatisfy { sample in sample.mapValues(\.shape) == samples.samples[0].mapValues(\.shape) }
        let fixedRows: [String: [Int]] = uniformFeeds ? Dictionary(uniqueKeysWithValues: source.graph.outputs.compactMap { info in
            guard let dims = info.type?.shape else { return nil }
            let fixed = dims.compactMap(\.value)
            return fixed.count == dims.count ? (info.name, fixed) : nil
        }) : [:]
        func add(_ result: (reference: [String: Tensor], computed: [String: Tensor], layers: [LayerSums])) throws {
            for layer in result.layers {
                layers[layer.value, default: LayerState(dequantized: false, accumulator: DriftAccumulator(k: topK))]
                    .add(layer.sums, dequantized: layer.dequantized)
            }
            try accumulate(result.reference, result.computed)
        }
        var next = 0
        if stopAtFailure {
            // A window of one sample per worker, checked after each: a failing sample may end
            // the run, and where it ends must not depend on timing.
            while next < samples.count {
                let window = min(workers, samples.count - next)
                let first = next
                let results = try ConcurrentWork.map(window, workers: window) { offset in
                    try compute(first + offset, threads: window > 1 ? 1 : nil)
                }
                for result in results { try add(result) }
                next += window
                // A bound on the worst sample (or element) that is already broken stays broken.
                if next < samples.count,
                   outputs.contains(where: { $0.map { overBudgetForGood($0, budget, samples: samples.count, fixedRows: fixedRows) } ?? false }) { break }
            }
        } else {
            // Every sample runs: handed out one at a time (the per-layer ones, the longest,
            // first) and added in sample order as soon as the samples before it are in, so no
            // worker waits at a batch's end.
            let parallel = workers > 1 && samples.count > 1
            try ConcurrentWork.forEachInOrder(samples.count, workers: workers, { index in
                try compute(index, threads: parallel ? 1 : nil)
            }, fold: { _, result in try add(result) })
            next = samples.count
        }
        return makeReport(samples: next, layerSamples: min(layerCount, next), budget: budget, layerBound: layerBound, outputs: outputs.map { $0! },
                          order: order, layers: layers)
    }

    /// Whether `state`, after some of `samples`, breaks a bound of `budget` that the remaining
    /// samples cannot bring back: the worst sample's cosine, SNR or relative error, the largest
    /// error anywhere, or an agreement fraction that stays under its bound even if every
    /// remaining row agrees (only for outputs of `fixedRows`, whose rows per sample are known;
    /// a mean error can always recover).
    func overBudgetForGood(_ state: OutputState, _ budget: DriftBudget, samples: Int, fixedRows: [String: [Int]]) -> Bool {
        let drift = state.accumulator.result
        return budget.bounds(for: state.name, floating: state.floating, classifier: state.classifier).contains { bound in
            switch bound.metric {
            case .cosine, .snrDB, .rel, .maxAbs:
                guard let value = drift.value(of: bound.metric) else { return false }
                return !bound.metric.allows(value, bound: bound.value)
            case .top1, .topK:
                guard state.classifier, let shape = fixedRows[state.name], shape == state.shape, let classes = shape.last, classes > 0 else { return false }
                let (rows, top1, topK) = state.accumulator.agreement
                let perSample = shape.reduce(1, *) / classes, total = perSample * samples
                // Every sample so far had the declared rows; the others will too.
                guard rows > 0, rows == perSample * drift.samples, total >= rows else { return false }
                let best = Double(total - (rows - (bound.metric == .top1 ? top1 : topK))) / Double(total)
                return !bound.metric.allows(best, bound: bound.value)
            case .meanAbs:
                return false
            }
        }
    }

    /// The source's outputs on every sample, by output name, for `run(samples:…sourceOutputs:)`.
    public func sourceOutputs(samples: SampleSet) throws -> [[String: Tensor]] {
        let session = sessions.source
        return try samples.samples.map { try execute(session, $0, sourceBoundary, sourceLabel) }
    }

    /// One sample's drift sums of source value `value`, in a per-layer report.
    struct LayerSums {
        let value: String
        let sums: PairSums
        /// Either side was dequantized (or the candidate's value was requantized) to compare.
        let dequantized: Bool
    }

    /// The drift sums of source value `value` (`x`) against the candidate's `y` (named
    /// `candidateName` there, dequantized when integer); nil when they cannot be compared.
    func compareLayer(_ value: String, _ x: Tensor, _ y: Tensor, candidateName: String, requantized: Bool) -> LayerSums? {
        guard x.shape == y.shape else { return nil }
        // Float32 on both sides (most layers): compared in place, without copies.
        if x.dataType == .float32, y.dataType == .float32 {
            let pair = x.withElements(as: Float.self) { a in y.withElements(as: Float.self) { b in PairSums(a, b) } }
            return LayerSums(value: value, sums: pair, dequantized: requantized)
        }
        guard let a = try? comparable(x, name: value, boundary: sourceBoundary), a.floating,
              let b = try? comparable(y, name: candidateName, boundary: candidateBoundary), b.floating else { return nil }
        return LayerSums(value: value, sums: PairSums(a.values, b.values), dequantized: a.dequantized || b.dequantized || requantized)
    }

    struct OutputState {
        let name: String
        let sourceType: DataType
        let candidateType: DataType
        let dequantized: Bool
        let floating: Bool
        let shape: [Int]
        let classifier: Bool
        var accumulator: DriftAccumulator
    }

    struct LayerState {
        var dequantized: Bool
        var accumulator: DriftAccumulator
        mutating func add(_ pair: PairSums, dequantized: Bool) {
            self.dequantized = self.dequantized || dequantized
            accumulator.add(pair)
        }
    }
}

extension Tensor {
    /// The tensor whose transpose by `perm` this one is (a copy in the original axis order).
    func restoringOrder(_ perm: [Int]) -> Tensor {
        guard perm.count == rank else { return self }
        var inverse = [Int](repeating: 0, count: perm.count)
        for (i, p) in perm.enumerated() { inverse[p] = i }
        return transposed(inverse)
    }
}
