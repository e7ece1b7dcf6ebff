import ArgumentParser
import CoreMLFormat
import FerryConvert
import FerryIR
import FerryPasses
import FerryRuntime
import FerryVerify
import Foundation
import NCNNFormat
import ONNXFormat
import ONNXOpsets
import ORTFormat
import TensorIO
import TFLiteFormat

/// `ferry convert`: optimize, quantize and verify a model, then write it for a target runtime.
///
/// Writes `DIR/model.<ext>`, `DIR/drift.json` and `DIR/drift.md` (the drift of the result
/// against the source, as `ferry verify` reports it), and `DIR/conversion.json` (passes, layers
/// kept in float and why). These names are a contract for scripts.
struct ConvertCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "convert",
        abstract: "Optimize, quantize and verify a model, then write it for a target runtime.",
        discussion: """
        Every conversion is verified: the result runs in Ferry's reference core beside the source on \
        the validation data (--data, else the calibration data) and DIR/drift.json records the drift. \
        With --quantize int8 the layers that push drift over the budget (--max-drift, default \
        cosine=0.99 and top1=0.99) stay float, the fewest that bring it within; --max-drift none \
        quantizes every layer that has an integer form.
        """
    )

    @Argument(help: "The source model (.onnx).")
    var source: String

    @Option(help: ArgumentHelp("Output folder (created if missing).", valueName: "dir"))
    var out: String

    @Option(help: ArgumentHelp("Target runtime: \(ConversionTarget.allCases.map(\.rawValue).joined(separator: ", ")).", valueName: "target"))
    var target: String = "onnx"

    @Option(help: ArgumentHelp("none, fp16, dynamic, int8, int16x8, int8-weights or int4-weights.", valueName: "mode"))
    var quantize: String = "none"

    @Option(name: .customLong("calibration"), help: ArgumentHelp("Calibration samples: FILE.npz, FILE.npy, FOLDER or NAME=FILE; repeatable.", valueName: "spec"))
    var calibration: [String] = []

    @Option(name: .customLong("block-size"), help: ArgumentHelp("Values per block along K for int8-weights/int4-weights (power of two ≥ 16).", valueName: "n"))
    var blockSize: Int = 32

    @Option(name: .customLong("calibration-method"), help: ArgumentHelp("minmax, percentile, entropy or mse.", valueName: "method"))
    var calibrationMethod: String = "minmax"

    @Option(name: .customLong("data"), help: ArgumentHelp("Validation samples for the drift report (default: the calibration data); repeatable.", valueName: "spec"))
    var data: [String] = []

    @Option(name: .customLong("max-drift"), help: ArgumentHelp("Drift budget METRIC=VALUE (as ferry verify), or none; repeatable.", valueName: "bound"))
    var maxDrift: [String] = []

    @Option(name: .customLong("input-shape"), help: ArgumentHelp("Fix dynamic dims: NAME=D0,D1,…; repeatable.", valueName: "shape"))
    var inputShape: [String] = []

    @Option(name: .customLong("io"), help: ArgumentHelp("Graph input/output type in integer modes: float or int8.", valueName: "type"))
    var io: String = "float"

    @Option(name: .customLong("keep-float"), help: ArgumentHelp("A node (or output) name to keep in float; repeatable.", valueName: "name"))
    var keepFloat: [String] = []

    @Option(help: ArgumentHelp("Pruning: unstructured:F (or F), global:F, N:M (e.g. 2:4) or channels:F.", valueName: "spec"))
    var prune: String?

    @Option(name: .customLong("prune-skip"), help: ArgumentHelp("A layer (node, output or weight name) pruning leaves dense; repeatable.", valueName: "name"))
    var pruneSkip: [String] = []

    @Option(help: ArgumentHelp("Requantization rounding of integer targets: double or single.", valueName: "mode"))
    var rounding: String = "double"

    @Option(help: ArgumentHelp("Worker threads (default: one per core; outputs are identical for any count).", valueName: "n"))
    var threads: Int = ProcessInfo.processInfo.activeProcessorCount

    @Option(name: .customLong("max-samples"), help: ArgumentHelp("Use at most N calibration and validation samples.", valueName: "n"))
    var maxSamples: Int?

    @Option(name: .customLong("layer-samples"), help: ArgumentHelp("Measure per-layer drift on the first N samples (default 8), or all; outputs use every sample.", valueName: "n"))
    var layerSamples: String?

    @Option(name: .customLong("coreml-precision"), help: ArgumentHelp("Core ML compute precision: float16 (default) or float32.", valueName: "precision"))
    var coreMLPrecision: String = "float16"

    @Option(help: ArgumentHelp("Core ML: store weights of 2048+ values as a k-means palette of 2^BITS entries (1, 2, 4, 6 or 8; iOS 16).", valueName: "bits"))
    var palettize: Int?

    @Option(help: ArgumentHelp("Class labels, one per line, for the first output's probabilities (Core ML: a classifier; TFLite: labels.txt in the metadata).", valueName: "file"))
    var labels: String?

    @Option(help: ArgumentHelp("Model author recorded in the Core ML or TFLite metadata.", valueName: "text"))
    var author: String = ""

    @Option(help: ArgumentHelp("Model licence recorded in the Core ML or TFLite metadata.", valueName: "text"))
    var license: String = ""

    @Option(name: .customLong("description"), help: ArgumentHelp("Model description recorded in the Core ML or TFLite metadata.", valueName: "text"))
    var modelDescription: String = ""

    @OptionGroup var inputOptions: ConvertInputOptions
    // BEGIN ort flags
    @Option(name: .customLong("onnx-opset"), help: ArgumentHelp("--target onnx: write this ai.onnx opset (11 to \(ConvertOpset.supported.upperBound)); default: the source's.", valueName: "n"))
    var onnxOpset: Int?

    @Option(name: .customLong("ort-version"), help: ArgumentHelp("--target onnx: write the newest opset this ONNX Runtime release runs (e.g. 1.17).", valueName: "x.y"))
    var ortVersion: String?

    @Flag(name: .customLong("ort"), help: "--target onnx: also write DIR/model.ort, the ORT format ONNX Runtime Mobile loads.")
    var ort = false
    // END ort flags

    @Flag(name: .customLong("reduce-range"), help: "7-bit weights, for ONNX Runtime on x86 CPUs without VNNI (its AVX2 int8 kernels saturate 8-bit weights).")
    var reduceRange = false

    @Flag(help: "Print the time each stage took (to standard error).")
    var timings = false

    @Flag(name: .customLong("no-optimize"), help: "Skip graph optimizations (folding, BatchNorm folding, layout chains).")
    var noOptimize = false

    func run() throws {
        try reportingErrors {
            do {
                try convert()
            } catch let error as ConversionError {
                throw CLIError(error.description)
            } catch let error as PassError {
                throw CLIError("\(source): \(error.description)")
            } catch let error as VerifyError {
                throw CLIError(error.description)
            } catch let error as SampleSetError {
                throw CLIError(error.description)
            } catch let error as TFLiteExportError {
                throw CLIError("\(source): \(error.description)")
            } catch let error as CoreMLExportError {
                throw CLIError("\(source): \(error.description)")
            } catch let error as CoreMLReadError {
                throw CLIError("Core ML read-back: \(error.description)")
            } catch let error as NCNNExportError {
                throw CLIError("\(source): \(error.description)")
            } catch let error as NCNNImportError {
                throw CLIError("reading back the NCNN model: \(error.description)")
            } catch let error as OpsetError {
                throw CLIError("\(source): \(error.description)")
            } catch let error as ORTError {
                throw CLIError("\(source): \(error.description)")
            }
        }
    }

    func settings(for model: Model) throws -> ConversionOptions {
        var options = ConversionOptions()
        guard let target = ConversionTarget(rawValue: target) else {
            throw CLIError("--target '\(self.target)': expected one of \(ConversionTarget.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        options.target = target
        guard let mode = QuantizationMode(rawValue: quantize) else {
            throw CLIError("--quantize '\(quantize)': expected one of \(QuantizationMode.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        options.quantization = mode
        guard let method = CalibrationMethod(rawValue: calibrationMethod) else {
            throw CLIError("--calibration-method '\(calibrationMethod)': expected one of \(CalibrationMethod.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        options.calibrationMethod = method
        guard io == "float" || io == "int8" || (io == "int16" && mode == .int16x8) else {
            throw CLIError("--io '\(io)': expected float or int8")
        }
        options.floatInputsOutputs = io == "float"
        guard let rounding = IntegerRounding(rawValue: rounding) else { throw CLIError("--rounding '\(self.rounding)': expected double or single") }
        options.rounding = rounding
        guard threads >= 1 else { throw CLIError("--threads \(threads): expected a whole number ≥ 1") }
        options.threads = threads
        if let maxSamples, maxSamples < 1 { throw CLIError("--max-samples \(maxSamples): expected a whole number ≥ 1") }
        options.maxSamples = maxSamples
        options.layerSamples = try VerifySettings.layerSamples(layerSamples)
        options.budget = try DriftBudget.resolve(flags: maxDrift, config: nil, fallback: .default)
        options.keepFloat = Set(keepFloat)
        options.inputShapes = try FixInputShapes.parse(inputShape, inputs: model.graph.runtimeInputs)
        options.optimize = !noOptimize
        options.reduceRange = reduceRange
        options.pruning = try prune.map { try PruningSpec.parse($0) }
        options.pruneSkip = Set(pruneSkip)
        guard blockSize >= 16, blockSize & (blockSize - 1) == 0 else { throw CLIError("--block-size \(blockSize): expected a power of two ≥ 16") }
        options.blockSize = blockSize
        guard let precision = CoreMLExportOptions.Precision(rawValue: coreMLPrecision) else {
            throw CLIError("--coreml-precision '\(coreMLPrecision)': expected float16 or float32")
        }
        if target != .coreml && coreMLPrecision != "float16" { throw CLIError("--coreml-precision applies to --target coreml only") }
        if target != .coreml && target != .tflite && (!author.isEmpty || !license.isEmpty || !modelDescription.isEmpty) {
            throw CLIError("--author, --license and --description apply to --target coreml and tflite only")
        }
        options.coreML.precision = precision
        if let palettize {
            guard target == .coreml else { throw CLIError("--palettize applies to --target coreml only") }
            guard Palettizer.allowedBits.contains(palettize) else { throw CLIError("--palettize \(palettize): expected 1, 2, 4, 6 or 8 bits (constexpr_lut_to_dense)") }
            guard mode == .none || mode == .fp16 else { throw CLIError("--palettize \(palettize) with --quantize \(quantize): choose one weight compression") }
            options.coreML.compression.paletteBits = palettize
        }
        if let labels {
            guard target == .coreml || target == .tflite else { throw CLIError("--labels applies to --target coreml and tflite only") }
            options.coreML.classLabels = try Self.readLabels(labels)
        }
        // Pruned weights are stored sparse where that is smaller (lossless).
        options.coreML.compression.sparse = options.pruning != nil
        options.coreML.author = author
        options.coreML.license = license
        options.coreML.shortDescription = modelDescription
        options.coreML.version = model.modelVersion == 0 ? "" : "\(model.modelVersion)"
        try inputOptions.apply(to: &options, model: model)
        try applyONNXFlags(to: &options)
        return options
    }

    // BEGIN ort settings
    func applyONNXFlags(to options: inout ConversionOptions) throws {
        if (onnxOpset != nil || ortVersion != nil || ort) && options.target != .onnx {
            throw CLIError("--onnx-opset, --ort-version and --ort apply to --target onnx only")
        }
        if onnxOpset != nil && ortVersion != nil { throw CLIError("--onnx-opset and --ort-version: give one of them") }
        if let ortVersion {
            guard let opset = ONNXRuntimeVersions.opset(for: ortVersion) else {
                throw CLIError("--ort-version '\(ortVersion)': expected a release such as 1.17 (1.0 or newer)")
            }
            options.onnxOpset = min(opset, ConvertOpset.supported.upperBound)
        }
        if let onnxOpset {
            guard ConvertOpset.supported.contains(onnxOpset) else {
                throw CLIError(OpsetError.unsupportedOpset(requested: onnxOpset, range: ConvertOpset.supported).description)
            }
            options.onnxOpset = onnxOpset
        }
        options.writeORT = ort
    }
    // END ort settings

    /// One label per line, as coremltools reads a class-label file; a trailing newline ends the
    /// last label, an empty line elsewhere is a mistake worth stopping for.
    static func readLabels(_ path: String) throws -> [String] {
        guard let data = FileManager.default.contents(atPath: path) else { throw CLIError("--labels \(path): missing or unreadable") }
        var lines = String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
            .map { $0.hasSuffix("\r") ? String($0.dropLast()) : String($0) }
        if lines.last == "" { lines.removeLast() }
        if let empty = lines.firstIndex(of: "") { throw CLIError("--labels \(path): line \(empty + 1) is empty") }
        guard !lines.isEmpty else { throw CLIError("--labels \(path): no labels") }
        return lines
    }

    func convert() throws {
        let started = ContinuousClock.now
        // The sample files are read while the model loads (with a thread to spare).
        let (model, files) = try ConcurrentWork.both({ try loadModel(path: source) }, { SampleFiles.prefetch(specs: calibration + data) },
                                                     concurrently: threads > 1)
        let options = try settings(for: model)
        // Samples are split along the batch as the inputs will be once --input-shape fixed them.
        let inputs = options.inputShapes.isEmpty ? model.graph.runtimeInputs
                                                 : try FixInputShapes(options.inputShapes).apply(to: model).graph.runtimeInputs
        let calibrationSet = calibration.isEmpty ? nil : try SampleSet.load(specs: calibration, inputs: inputs, files: files)
        let validationSet = data.isEmpty ? nil : try SampleSet.load(specs: data, inputs: inputs, files: files)
        let read = ContinuousClock.now
        let folder = URL(fileURLWithPath: out)
        let modelPath = folder.appendingPathComponent(options.outputFileName).path
        // An ONNX model is written (under a temporary name) while it is verified, and moved into
        // place only once the conversion has succeeded.
        var staged: ONNXWriter.Staged?
        var madeFolder = false
        let result: ConversionResult
        do {
            result = try Converter(options: options).convert(model, calibration: calibrationSet, validation: validationSet) { candidate, output in
                guard output == nil else { return }
                madeFolder = !FileManager.default.fileExists(atPath: folder.path)
                try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
                staged = try ONNXWriter.stage(candidate, to: modelPath)
            }
        } catch {
            staged = nil
            if madeFolder { try? FileManager.default.removeItem(at: folder) }
            throw error
        }
        let converted = ContinuousClock.now

        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        if let output = result.output {
            try writeTargetFiles(output.files, into: folder)
        } else if let staged {
            try staged.commit()
        } else {
            try ONNXWriter.write(result.model, to: modelPath)
        }
        if let drift = result.drift {
            try writeAtomically(Data(drift.json().utf8), to: folder.appendingPathComponent("drift.json"))
            try writeAtomically(Data((drift.markdown() + floatLayersMarkdown(result)).utf8), to: folder.appendingPathComponent("drift.md"))
        }
        try writeAtomically(Data(conversionJSON(result, options).utf8), to: folder.appendingPathComponent("conversion.json"))
        print(summary(result, options, modelPath: modelPath), terminator: "")
        if timings {
            func seconds(_ duration: Duration) -> Double {
                Double(duration.components.seconds) + Double(duration.components.attoseconds) * 1e-18
            }
            let stages = [("read model and samples", seconds(read - started))] + result.timings
                + [("write", seconds(ContinuousClock.now - converted))]
            let total = stages.reduce(0) { $0 + $1.1 }
            for (stage, seconds) in stages + [("total", total)] {
                let label = stage.padding(toLength: max(stage.count, 36), withPad: " ", startingAt: 0)
                FileHandle.standardError.write(Data((label + String(format: "%8.3f s\n", seconds)).utf8))
            }
        }
        if let drift = result.drift, !drift.passed, !options.budget.isEmpty { throw ExitCode(1) }
    }

    func summary(_ result: ConversionResult, _ options: ConversionOptions, modelPath: String) -> String {
        var lines: [String]
        if let output = result.output {
            // A package directory (model.mlpackage) is one output; other files are listed after it.
            let folder = URL(fileURLWithPath: modelPath).deletingLastPathComponent().path
            var sizes: [String: Int] = [:], order: [String] = []
            for file in output.files {
                let top = String(file.path.split(separator: "/").first ?? "")
                if sizes[top] == nil { order.append(top) }
                sizes[top, default: 0] += file.bytes.count
            }
            let main = order.first ?? options.outputFileName
            lines = ["wrote \(folder)/\(main) (\(sizes[main] ?? 0) bytes, \(result.model.graph.nodes.count) nodes, \(options.quantization.rawValue))"]
            if order.count > 1 {
                lines.append("  and " + order.dropFirst().map { "\($0) (\(sizes[$0]!) bytes)" }.joined(separator: ", "))
            }
        } else {
            let size = (try? FileManager.default.attributesOfItem(atPath: modelPath)[.size] as? Int) ?? 0
            lines = ["wrote \(modelPath) (\(size) bytes, \(result.model.graph.nodes.count) nodes, \(options.quantization.rawValue))"]
        }
        if [.int8, .int16x8, .dynamic, .fp16].contains(options.quantization) {
            lines.append("quantized \(result.quantizedLayers) layers; kept \(result.floatLayers.count) in float" +
                         (result.floatLayers.isEmpty ? "" : ": " + result.floatLayers.map(\.node).joined(separator: ", ")))
        }
        if !result.pruned.isEmpty {
            let total = result.pruned.reduce(0) { $0 + $1.parameters }, zeros = result.pruned.reduce(0) { $0 + $1.zeros }
            lines.append("pruned \(result.pruned.count) layers (\(options.pruning!)): \(zeros) of \(total) weights removed or zeroed (\(String(format: "%.1f", 100 * Double(zeros) / Double(max(total, 1))))%)")
        }
        if let drift = result.drift { lines.append(drift.summary().trimmingCharacters(in: .newlines)) }
        lines += result.output?.notes ?? []
        return lines.joined(separator: "\n") + "\n"
    }

    func floatLayersMarkdown(_ result: ConversionResult) -> String {
        guard !result.floatLayers.isEmpty else { return "" }
        var text = "\n## Layers kept in float\n\n| Layer | Op | Why |\n|---|---|---|\n"
        for layer in result.floatLayers { text += "| `\(layer.node)` | \(layer.opType) | \(layer.reason) |\n" }
        return text
    }

    func conversionJSON(_ result: ConversionResult, _ options: ConversionOptions) -> String {
        let floatLayers: [[String: Any]] = result.floatLayers.map {
            ["node": $0.node, "op": $0.opType, "sensitivity_cosine": $0.sensitivity, "reason": $0.reason, "members": $0.members]
        }
        let pruned: [[String: Any]] = result.pruned.map { layer in
            var entry: [String: Any] = ["node": layer.node, "weight": layer.weight, "parameters": layer.parameters,
                                        "zeros": layer.zeros, "sparsity": layer.sparsity]
            if let channels = layer.channels {
                entry["channels_before"] = channels.before
                entry["channels_after"] = channels.after
            }
            return entry
        }
        let object: [String: Any] = [
            "target": options.target.rawValue, "file": options.outputFileName, "quantize": options.quantization.rawValue,
            "calibration_method": options.calibrationMethod.rawValue, "io": options.floatInputsOutputs ? "float" : "int8",
            "weight_bits": options.reduceRange ? 7 : 8, "budget": options.budget.description,
            "quantized_layers": result.quantizedLayers, "float_layers": floatLayers,
            "search_evaluations": result.searchEvaluations, "prune": options.pruning.map { $0.description } ?? NSNull(),
            "pruned_layers": pruned,
            "passes": result.passes.map { ["pass": $0.pass, "nodes_before": $0.nodesBefore, "nodes_after": $0.nodesAfter] },
            "nodes": result.model.graph.nodes.count,
            "files": result.output?.files.map(\.path) ?? [options.outputFileName],
            "target_details": result.output?.details ?? [:],
        ]
        // Sorted keys: the same conversion gives the same bytes.
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .prettyPrinted])) ?? Data()
        return String(decoding: data, as: UTF8.self) + "\n"
    }
}
