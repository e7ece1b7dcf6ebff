import FerryIR
import NCNNFormat

/// `--target ncnn`: `model.param` (text, format 2) and `model.bin` for Tencent NCNN.
struct NCNNTarget: TargetWriter {
    func write(_ model: Model, options: ConversionOptions) throws -> TargetOutput {
        let weights: NCNNWeightMode
        switch options.quantization {
        case .none: weights = .float32
        case .fp16: weights = .float16
        case .int8:
            guard options.floatInputsOutputs else {
                throw ConversionError.unsupported("--target ncnn takes float inputs and outputs (NCNN's int8 layers quantize their float input themselves); drop --io int8")
            }
            weights = .int8
        case .dynamic, .int16x8, .int8Weights, .int4Weights:
            throw ConversionError.unsupported("--target ncnn has no --quantize \(options.quantization.rawValue): NCNN's int8 layers quantize activations with calibrated scales; use --quantize int8 with --calibration, or fp16")
        }
        let exported = try NCNNExporter.export(model, options: NCNNExportOptions(weights: weights))
        var notes: [String] = []
        var details: [String: String] = [
            "layers": "\(exported.param.layers.count)", "blobs": "\(exported.param.blobNames.count)", "weights": weights.rawValue,
        ]
        for binding in exported.inputs {
            details["input:\(binding.value)"] = binding.blob
            details["input_shape:\(binding.value)"] = binding.shape.map(String.init).joined(separator: ",")
            if !exported.param.layers.contains(where: { $0.inputs.contains(binding.blob) }) {
                notes.append("NCNN input '\(binding.blob)' is read by no layer (what the source computes from it folded to a constant); an app need not feed it")
            } else if binding.dataType.isInteger {
                details["input_type:\(binding.value)"] = "int32"
                notes.append("NCNN input '\(binding.blob)' takes int32 ids as the bits of a float Mat (numpy: ncnn.Mat(ids.astype(np.int32).view(np.float32)))")
            }
        }
        for binding in exported.outputs {
            details["output:\(binding.value)"] = binding.blob
            details["output_shape:\(binding.value)"] = binding.shape.map(String.init).joined(separator: ",")
        }
        if weights == .int8 {
            details["int8_layers"] = "\(exported.int8Layers.count)"
            notes.append("NCNN int8: \(exported.int8Layers.count) layers with int8 weights; other layers run in float32 in NCNN")
            notes += exported.floatLayers.map { "kept in float32 for NCNN: \($0)" }
        }
        let renamed = exported.inputs.filter { $0.blob != $0.value } + exported.outputs.filter { $0.blob != $0.value }
        if !renamed.isEmpty {
            notes.append("NCNN blob names differ from ONNX names (see conversion.json target_details): " +
                         renamed.map { "'\($0.value)' → '\($0.blob)'" }.joined(separator: ", "))
        }
        return TargetOutput(files: [TargetFile(path: ConversionTarget.ncnn.fileName, bytes: exported.paramBytes),
                                    TargetFile(path: "model.bin", bytes: exported.binBytes)],
                            readBack: try exported.readBack(like: model), notes: notes, details: details)
    }
}
