import FerryIR
import TFLiteFormat

/// `--target tflite`: `model.tflite`, NHWC builtins, schema 3.
struct TFLiteTarget: TargetWriter {
    func write(_ model: Model, options: ConversionOptions) throws -> TargetOutput {
        var exportOptions = TFLiteExportOptions()
        exportOptions.float16Weights = options.quantization == .fp16
        let (plain, layouts) = try TFLiteExporter.exportWithLayouts(model, options: exportOptions)
        // Support-library metadata (names, normalization, labels.txt) on the written model.
        let file = try TFLiteMetadataPopulator.populate(plain, metadata: options.tfliteMetadata(for: plain), files: options.tfliteAssociatedFiles)
        return TargetOutput(files: [TargetFile(path: ConversionTarget.tflite.fileName, bytes: file)],
                            readBack: try TFLiteImporter.importModel(bytes: file), layouts: layouts)
    }
}
