import FerryIR
import FerryPasses
import FerryRuntime
import ONNXFormat
import ONNXOpsets
import ORTFormat

/// `--target onnx` with `--onnx-opset`/`--ort-version` or `--ort`: `model.onnx` at the requested
/// opset, and with `--ort` also `model.ort` (ONNX Runtime's ORT format, which ONNX Runtime
/// Mobile loads). Both are made in memory and read back; verification runs the read-back
/// `model.ort` when there is one (the ONNX writer is lossless, tested on every fixture), else
/// the read-back `model.onnx`. Without either flag the CLI writes `model.onnx` itself, as
/// before (with external data past protobuf's 2 GiB).
struct ONNXTarget: TargetWriter {
    static func writer(for options: ConversionOptions) -> (any TargetWriter)? {
        options.onnxOpset != nil || options.writeORT ? ONNXTarget() : nil
    }

    func write(_ model: Model, options: ConversionOptions) throws -> TargetOutput {
        var model = model
        var details: [String: String] = [:]
        if let opset = options.onnxOpset {
            // The float model was converted before the passes; this checks every node the
            // quantizers added against the target's schemas too.
            model = try PassPipeline([try ConvertOpset(target: opset), DeadCodeElimination()]).run(model).0
        }
        details["opset"] = "\(model.opset)"
        details["ir_version"] = "\(model.irVersion)"
        let onnx = try ONNXWriter.serialize(model)
        var readBack = try ONNXReader.loadModel(bytes: onnx, name: ConversionTarget.onnx.fileName)
        var files = [TargetFile(path: ConversionTarget.onnx.fileName, bytes: onnx)]
        var notes = ["model.onnx: ai.onnx opset \(model.opset), IR version \(model.irVersion)"]
        if options.writeORT {
            let typed = try ShapeInference.infer(model).typingConstantNodes()
            let ort = try ORTWriter.serialize(typed)
            let (ortModel, summary) = try ORTReader.read(ort, file: "model.ort")
            files.append(TargetFile(path: "model.ort", bytes: ort))
            readBack = ortModel
            details["ort_format_version"] = summary.formatVersion
            details["ort_bytes"] = "\(ort.count)"
            details["ort_kernel_type_str_ops"] = "\(summary.kernelTypeStringOps.count)"
            notes.append("model.ort: ORT format \(summary.formatVersion) (\(ort.count) bytes), read back and verified; kernel type strings for \(summary.kernelTypeStringOps.count) op versions")
        }
        return TargetOutput(files: files, readBack: readBack, notes: notes, details: details)
    }
}
