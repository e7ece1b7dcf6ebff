import ArgumentParser
import FerryIR
import FerryRuntime
import FerryVerify
import Foundation
import TensorIO

/// `ferry verify SOURCE CANDIDATE --data SPEC…`: drift of a candidate against its source, as an
/// exit code a CI job can gate on and reports it can keep.
struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Run a source and a candidate model on the same samples and gate on their drift.",
        discussion: """
        Both models run in Ferry's reference core. Per output: max_abs (largest |a-b|), mean_abs, \
        rel (|a-b|/|a|, L2), cosine, snr_db, and for classifier outputs (float outputs whose last \
        dimension is above 1, or those named by --classifier) top1 and topk agreement: the fraction \
        of rows whose candidate argmax is the reference's, and whose reference argmax is in the \
        candidate's top k. rel, cosine and snr_db are checked on the worst sample.

        Budgets (--max-drift, repeatable; or in --config): max_abs, mean_abs and rel are upper \
        bounds; cosine, snr_db, top1 and topk lower bounds. METRIC=VALUE applies to every float \
        output (agreement metrics to classifiers only); OUTPUT:METRIC=VALUE to one output. With no \
        bound given the budget is cosine=0.99 and top1=0.99; --max-drift none checks nothing.

        Per layer: values present in both models are compared in the source's order and the first \
        one past --layer-bound (default cosine=0.99; none skips it) is reported. A QDQ candidate \
        with integer inputs/outputs is fed quantized samples and its outputs dequantized.

        --data: a .npz with one array per input (axis 0 indexes samples), a .npy (one-input \
        models), a folder of them, or NAME=FILE per input; repeatable.

        Exit codes: 0 within budget, 1 drift over budget, 2 bad usage or input (a missing file, a \
        model that fails to load, data that does not match).
        """
    )

    @Argument(help: "The source model (.onnx), the reference.")
    var source: String?

    @Argument(help: "The candidate model (.onnx) checked against it.")
    var candidate: String?

    @Option(name: .customLong("data"), help: ArgumentHelp("Samples: FILE.npz, FILE.npy, FOLDER or NAME=FILE; repeatable.", valueName: "spec"))
    var data: [String] = []

    @Option(name: .customLong("max-drift"), help: ArgumentHelp("A bound, METRIC=VALUE or OUTPUT:METRIC=VALUE, or none; repeatable.", valueName: "bound"))
    var maxDrift: [String] = []

    @Option(help: ArgumentHelp("A JSON file with max_drift, layer_bound, top_k, classifiers (flags override it).", valueName: "file"))
    var config: String?

    @Option(name: .customLong("layer-bound"), help: ArgumentHelp("Per-layer bound METRIC=VALUE (default cosine=0.99), or none; repeatable.", valueName: "bound"))
    var layerBound: [String] = []

    @Option(name: .customLong("top-k"), help: ArgumentHelp("k of top-k agreement (default 5, capped at the number of classes).", valueName: "k"))
    var topK: String?

    @Option(name: .customLong("classifier"), help: ArgumentHelp("Score this output for top-1/top-k agreement (instead of guessing); repeatable.", valueName: "output"))
    var classifiers: [String] = []

    @Option(help: ArgumentHelp("Write the JSON report here (- for stdout).", valueName: "file"))
    var json: String?

    @Option(help: ArgumentHelp("Write a JUnit XML report here (- for stdout).", valueName: "file"))
    var junit: String?

    @Option(help: ArgumentHelp("Write a Markdown report here (- for stdout).", valueName: "file"))
    var markdown: String?

    @Option(help: ArgumentHelp("Worker threads per model (default: one per core; reports are identical for any count).", valueName: "n"))
    var threads: String?

    @Option(name: .customLong("max-samples"), help: ArgumentHelp("Use only the first N samples.", valueName: "n"))
    var maxSamples: String?

    @Option(name: .customLong("layer-samples"), help: ArgumentHelp("Measure per-layer drift on the first N samples (default 8), or all; outputs use every sample.", valueName: "n"))
    var layerSamples: String?

    // Anything argument-parser does not recognise lands here, so that it exits 2 like every
    // other usage error instead of argument-parser's 64.
    @Argument(parsing: .allUnrecognized, help: .hidden)
    var unrecognized: [String] = []

    func run() throws {
        try reportingErrors {
            do {
                try verify()
            } catch let error as VerifyError {
                throw CLIError(error.description)
            } catch let error as SampleSetError {
                throw CLIError(error.description)
            }
        }
    }

    func verify() throws {
        let settings = try VerifySettings(self)
        let sourceModel = try loadModel(path: settings.source)
        let candidateModel = try loadModel(path: settings.candidate)
        let verifier = try Verifier(source: sourceModel, candidate: candidateModel,
                                    sourceOptions: SessionOptions(threads: settings.threads),
                                    candidateOptions: SessionOptions(threads: settings.threads),
                                    sourceLabel: settings.source, candidateLabel: settings.candidate)
        var samples = try SampleSet.load(specs: data, inputs: sourceModel.graph.runtimeInputs)
        if let limit = settings.maxSamples { samples = samples.prefix(limit) }
        let report = try verifier.run(samples: samples, budget: settings.budget, layerBound: settings.layerBound,
                                      layerSamples: settings.layerSamples, topK: settings.topK, classifiers: settings.classifiers)
        try writeReports(report)
        // A report on stdout keeps stdout to itself; the summary goes to stderr then.
        if [json, junit, markdown].contains("-") {
            FileHandle.standardError.write(Data(report.summary().utf8))
        } else {
            print(report.summary(), terminator: "")
        }
        if !report.passed { throw ExitCode(1) }
    }

    func writeReports(_ report: DriftReport) throws {
        for (path, text) in [(json, report.json()), (junit, report.junit()), (markdown, report.markdown())] {
            guard let path else { continue }
            if path == "-" {
                FileHandle.standardOutput.write(Data(text.utf8))
            } else {
                try writeAtomically(Data(text.utf8), to: URL(fileURLWithPath: path))
            }
        }
    }
}
