import FerryIR
import TFLiteFormat

/// `--target tflite`: `model.tflite`, NHWC builtins, schema 3.
struct TFLiteTarget: TargetWriter {
    func write(_ model: Model, options: ConversionOptions) throws -> TargetOutput {
        guard options.quantization == .none else {
            throw ConversionError.unsupported("--target tflite writes float32 models so far; --quantize \(options.quantization.rawValue) for TFLite is not implemented yet (use --target onnx)")
        }
        let file = try TFLiteExporter.export(model)
        return TargetOutput(files: [TargetFile(path: ConversionTarget.tflite.fileName, bytes: file)],
                            readBack: try TFLiteImporter.importModel(bytes: file))
    }
}
