import CoreMLFormat
import FerryIR
import FerryPasses
import FerryRuntime
import FerryVerify
import Foundation
import ONNXFormat
import ONNXOpsets
import TensorIO
import TFLiteFormat

/// What a conversion produced, for the CLI summary and `drift.json`.
public struct ConversionResult: Sendable {
    public var model: Model
    /// The target writer's files, read back and verified; nil for ONNX, which `ONNXWriter.write`
    /// writes itself (moving weights to `model.data` past protobuf's 2 GiB).
    public var output: TargetOutput?
    public var drift: DriftReport?
    public var passes: [PassPipeline.Step]
    public var floatLayers: [FloatLayer]
    /// Sparsity of every pruned layer (empty without --prune).
    public var pruned: [LayerSparsity]
    public var quantizedLayers: Int
    public var searchEvaluations: Int
    /// Wall-clock time of each stage, in order (for `--timings`; never in the reports, which
    /// stay byte-identical between runs).
    public var timings: [(stage: String, seconds: Double)] = []
}

/// Times the stages of one conversion.
struct StageClock {
    private(set) var timings: [(stage: String, seconds: Double)] = []
    private var last = ContinuousClock.now

    mutating func lap(_ stage: String) {
        let now = ContinuousClock.now
        let elapsed = now - last
        timings.append((stage, Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18))
        last = now
    }
}

/// The `ferry convert` pipeline: fixed shapes, graph optimizations, quantization (with the
/// mixed-precision search under the drift budget), then verification against the source.
public struct Converter {
    public let options: ConversionOptions

    public init(options: ConversionOptions) { self.options = options }

    var sourceOptions: SessionOptions { SessionOptions(threads: options.threads) }
    /// The candidate runs as its target computes (TFLite's integer kernels, say).
    var candidateOptions: SessionOptions {
        SessionOptions(threads: options.threads, integerArithmetic: options.target.integerArithmetic(options.rounding))
    }

    /// `alongside`, when given, runs beside the verification (with a thread to spare) on the
    /// model and target files that will be verified: the CLI writes them to temporary files
    /// meanwhile and moves them into place only once the conversion has succeeded.
    public func convert(_ source: Model, calibration: SampleSet?, validation: SampleSet?,
                        alongside: ((Model, TargetOutput?) throws -> Void)? = nil) throws -> ConversionResult {
        var clock = StageClock()
        var passes: [any GraphPass] = []
        if !options.inputShapes.isEmpty { passes.append(FixInputShapes(options.inputShapes)) }
        // The opset conversion comes first, so that passes and quantizers write the target's forms.
        if options.target == .onnx, let opset = options.onnxOpset { passes.append(try ConvertOpset(target: opset)) }
        if options.optimize { passes += PassPipeline.standard(fuseActivations: false).passes }
        var (float, steps) = try PassPipeline(passes).run(source)
        // Checked before calibration, which can take minutes on a large model.
        if options.target == .onnx && [.int8, .dynamic, .int16x8].contains(options.quantization) && float.opset < 13 {
            throw ConversionError.unsupported("--quantize \(options.quantization.rawValue) --target onnx writes per-channel DequantizeLinear, which needs opset 13; the model has opset \(float.opset) (convert it with --onnx-opset 13, or use another target)")
        }
        try checkLayerNames(options.keepFloat, in: float)
        try checkLayerNames(options.pruneSkip, in: float, flag: "--prune-skip")
        // Whether the optimized float model computes the source's values bit for bit (every
        // pass said so, nothing pruned): then its calibration runs give the source's outputs on
        // those samples, and verification runs the source only where it compares layers.
        var floatIsSource = steps.allSatisfy(\.preservesValues)
        var pruned: [LayerSparsity] = []
        switch options.pruning {
        case .channels(let fraction)?:
            (float, pruned) = try ChannelPruning(fraction: fraction, skip: options.pruneSkip).applyReporting(to: float)
        case let spec?:
            (float, pruned) = try MagnitudePruning(spec, skip: options.pruneSkip).applyReporting(to: float)
        case nil:
            break
        }
        if options.pruning != nil { floatIsSource = false }

        clock.lap("optimize")
        let sourceOptions = self.sourceOptions, candidateOptions = self.candidateOptions
        // What the final report measures (and the weight-only search with it): the validation or
        // calibration data, else seeded synthetic inputs, which the report then says it used.
        let given = validation ?? calibration
        let reportSamples = given ?? SyntheticSamples.make(for: source, fixing: options.inputShapes)
        var candidate = float
        var floatLayers: [FloatLayer] = []
        var evaluations = 0
        var quantizedLayers = 0
        var sourceOutputs: [[String: Tensor]]?
        var sourceSession: InferenceSession?
        switch options.quantization {
        case .none:
            break
        case .int8 where options.target.int8IsWeightOnly, .fp16, .dynamic:
            let weightOnly = options.quantization == .int8 ? QuantizationMode.dynamic : options.quantization
            var quantizer = WeightOnlyQuantizer(mode: weightOnly, keepFloat: options.keepFloat)
            if options.quantization != .int8 {
                // ONNX Runtime dequantizes constant weights once at load, whatever op reads them.
                quantizer.embeddings = options.target == .onnx
                quantizer.recurrent = options.target == .onnx
            }
            // The same samples the final report uses: the budget is met on what it measures.
            let search = MixedPrecisionSearch.weightOnly(float: float, quantizer: quantizer,
                                                         samples: options.maxSamples.map { reportSamples.prefix($0) } ?? reportSamples,
                                                         budget: reportSamples.count > 0 ? options.budget : DriftBudget(),
                                                         candidateOptions: candidateOptions, sourceOptions: sourceOptions)
            (candidate, floatLayers, evaluations) = try search.run()
            quantizedLayers = quantizer.layerNodes(float.graph).count - floatLayers.count
        case .int8Weights, .int4Weights:
            guard options.target == .onnx else {
                throw ConversionError.unsupported("--quantize \(options.quantization.rawValue) writes block-quantized MatMul weights for ONNX Runtime; use --target onnx (TFLite, Core ML and NCNN take --quantize dynamic or int8)")
            }
            candidate = try BlockWeightQuantizer(bits: options.quantization.blockWeightBits!, blockSize: options.blockSize,
                                                 keepFloat: options.keepFloat).apply(to: float)
        case .int8, .int16x8:
            guard var calibration, calibration.count > 0 else { throw ConversionError.needsCalibration(mode: options.quantization.rawValue) }
            if options.target == .onnx {
                // Recurrent weights, which the QDQ form leaves float: int8 behind a DequantizeLinear
                // that ONNX Runtime folds once at load. Done before the search, so that its drift
                // measurements include them. (Embedding tables are the QDQ quantizer's, below:
                // quantizeGatherTables.)
                var weights = WeightOnlyQuantizer(mode: .dynamic, keepFloat: options.keepFloat)
                weights.recurrent = true
                weights.skipsLayerWeights = true
                let before = float
                float = try weights.apply(to: float)
                floatIsSource = floatIsSource && weights.preservesValues(from: before, to: float)
            }
            if let limit = options.maxSamples { calibration = calibration.prefix(limit) }
            var quantization = QuantizationOptions(mode: options.quantization, calibration: options.calibrationMethod,
                                                   floatInputsOutputs: options.floatInputsOutputs, keepFloat: options.keepFloat)
            // Values the quantizer fuses away go unmeasured: the runtime then computes a Conv and
            // its Clip in one pass while calibrating, and skips their ranges.
            quantization.uncalibrated = QDQQuantizer(options: quantization, statistics: [:]).fusedActivationInputs(float.graph)
            let names = (float.graph.runtimeInputs.map(\.name) + float.graph.nodes.flatMap(\.outputs))
                .filter { !$0.isEmpty && !quantization.uncalibrated.contains($0) }
            // One session of the float model for calibration and the search.
            let floatSession = try InferenceSession(model: float, options: sourceOptions)
            // The report measures the calibration samples unless validation data was given; so
            // does the search, against the float model.
            let keepOutputs = validation == nil && (floatIsSource || !options.budget.isEmpty)
            let recorded = try ActivationRecorder.recordKeepingOutputs(model: float, names: names, samples: calibration.samples,
                                                                       method: options.calibrationMethod, threads: options.threads,
                                                                       keepOutputs: keepOutputs, session: floatSession)
            let statistics = recorded.statistics
            sourceOutputs = floatIsSource ? recorded.outputs : nil
            clock.lap("calibrate")
            quantization.weightBits = options.reduceRange ? 7 : 8
            quantization.floatErfGelu = options.target == .tflite || options.target == .tflm
            // ONNX Runtime folds a quantized embedding table's DequantizeLinear at load.
            quantization.quantizeGatherTables = options.target == .onnx
            var search = MixedPrecisionSearch.integer(float: float, statistics: statistics, options: quantization,
                                              samples: validation ?? calibration, budget: options.budget,
                                              candidateOptions: candidateOptions, sourceOptions: sourceOptions)
            search.floatSession = floatSession
            search.floatOutputs = recorded.outputs
            // The source's session for the final report is made on another thread meanwhile
            // (if it fails, the verifier makes it again and reports why).
            let made = SessionSlot()
            (candidate, floatLayers, evaluations) = try ConcurrentWork.run({ try search.run() }, alongside: { [source, sourceOptions] in
                made.session = try? InferenceSession(model: source, options: sourceOptions)
            })
            sourceSession = made.session
            var finalOptions = quantization
            finalOptions.keepFloat.formUnion(floatLayers.flatMap(\.members))
            quantizedLayers = QDQQuantizer(options: finalOptions, statistics: statistics).quantizedNodes(float.graph).count
        }
        if options.target == .onnx && options.quantization == .int16x8 {
            // 16-bit Q/DQ below opset 21 go in ONNX Runtime's com.microsoft domain, as its quantizer writes them.
            candidate = try ContribQuantizationDomain().apply(to: candidate)
        }
        clock.lap(options.quantization.needsCalibration ? "quantize (mixed-precision search)" : "quantize")
        candidate.producerName = ONNXWriter.producerName
        candidate.producerVersion = ONNXWriter.producerVersion

        // Target files are made here and read back, so the report describes the bytes the device
        // gets; the ONNX writer is lossless (tested on every fixture and node model), so the
        // model itself is verified and the CLI writes it.
        let output = try (options.target == .onnx ? ONNXTarget.writer(for: options) : options.target.writer)?.write(candidate, options: options)
        // A read-back TFLite graph moves every NHWC value to NCHW and back around each op;
        // removing the transposes that cancel changes no value and makes verification fast.
        let verified = try output.map { try PassPipeline([SimplifyTransposes(), DeadCodeElimination()]).run($0.readBack).0 } ?? candidate
        clock.lap("write and read back")

        // Every conversion is verified; without data, on seeded synthetic inputs (and says so).
        func measure() throws -> DriftReport? {
            try verify(source: source, verified: verified, output: output, sourceOutputs: sourceOutputs, sourceSession: sourceSession,
                       samples: reportSamples, given: given)
        }
        let drift: DriftReport?
        if let alongside, options.threads > 1 {
            drift = try ConcurrentWork.run(measure) { [candidate] in try alongside(candidate, output) }
        } else {
            drift = try measure()
            try alongside?(candidate, output)
        }
        clock.lap("verify")
        return ConversionResult(model: candidate, output: output, drift: drift, passes: steps, floatLayers: floatLayers, pruned: pruned,
                                quantizedLayers: quantizedLayers, searchEvaluations: evaluations, timings: clock.timings)
    }

    /// The drift report of `verified` against `source`, nil without samples.
    /// `sourceSession`, when given, is a session of `source` made with `sourceOptions`.
    private func verify(source: Model, verified: Model, output: TargetOutput?, sourceOutputs: [[String: Tensor]]?,
                        sourceSession: InferenceSession?, samples: SampleSet, given: SampleSet?) throws -> DriftReport? {
        var drift: DriftReport?
        if samples.count > 0 {
            let verifier = try Verifier(source: source, candidate: verified, sourceOptions: sourceOptions, candidateOptions: candidateOptions,
                                        sourceLabel: given == nil ? "source (synthetic inputs)" : "source", candidateLabel: options.outputFileName,
                                        sourceSession: sourceSession)
            verifier.candidateLayouts = output?.layouts ?? [:]
            let measured = options.maxSamples.map { samples.prefix($0) } ?? samples
            do {
                drift = try verifier.run(samples: measured, budget: options.budget, layerSamples: options.layerSamples,
                                         sourceOutputs: sourceOutputs?.count == measured.count ? sourceOutputs : nil)
            } catch VerifyError.storedOutputsDiffer {
                // A pass claimed exactness it did not have: measure against the source itself.
                drift = try verifier.run(samples: measured, budget: options.budget, layerSamples: options.layerSamples)
            }
        }
        return drift
    }

    private func checkLayerNames(_ names: Set<String>, in model: Model, flag: String = "--keep-float") throws {
        let known = Set(model.graph.nodes.map(\.name)).union(model.graph.nodes.flatMap(\.outputs)).union(model.graph.initializers.keys)
        for name in names.sorted() where !known.contains(name) { throw ConversionError.unknownLayer(flag: flag, name) }
    }
}

/// A session made on another thread, read once that thread is done.
final class SessionSlot: @unchecked Sendable {
    var session: InferenceSession?
}
