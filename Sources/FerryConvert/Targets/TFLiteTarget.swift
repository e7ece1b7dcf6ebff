import FerryIR
import TFLiteFormat

/// `--target tflite`: `model.tflite`, NHWC builtins, schema 3.
struct TFLiteTarget: TargetWriter {
    func write(_ model: Model, options: ConversionOptions) throws -> TargetOutput {
        var exportOptions = TFLiteExportOptions()
        exportOptions.float16Weights = options.quantization == .fp16
        let (file, layouts) = try TFLiteExporter.exportWithLayouts(model, options: exportOptions)
        return TargetOutput(files: [TargetFile(path: ConversionTarget.tflite.fileName, bytes: file)],
                            readBack: try TFLiteImporter.importModel(bytes: file), layouts: layouts)
    }
}
