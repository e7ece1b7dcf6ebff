import FerryIR
import ONNXFormat
import TFLiteFormat

/// `--target tflm`: the int8 (or float32) TFLite flatbuffer for TensorFlow Lite Micro, as
/// `model.tflite` and as C++ sources (`model_data.cc/.h` with the arena size, `model_ops.h`
/// with the op resolver, `main.cc`). Only ops and types TFLM's kernels take are accepted.
struct TFLMTarget: TargetWriter {
    func write(_ model: Model, options: ConversionOptions) throws -> TargetOutput {
        guard options.quantization == .int8 || options.quantization == .none else {
            throw ConversionError.unsupported("--target tflm takes --quantize int8 (or none for float32): TFLM has no kernels for \(options.quantization.rawValue) weights (hybrid or float16 ops)")
        }
        let (bytes, layouts) = try TFLiteExporter.exportWithLayouts(model)
        let tflite = try TFLiteReader.read(bytes)
        let problems = TFLMKernels.problems(tflite)
        guard problems.isEmpty else {
            throw ConversionError.unsupported("the model cannot run on TensorFlow Lite Micro's kernels:\n  " + problems.joined(separator: "\n  "))
        }
        let arena = TFLMArena.plan(tflite)
        let sources = TFLMSource.files(model: bytes, tflite: tflite, arena: arena, producer: "ferry \(ONNXWriter.producerVersion)")
        let files = [TargetFile(path: ConversionTarget.tflm.fileName, bytes: bytes)]
            + sources.map { TargetFile(path: $0.path, bytes: Array($0.text.utf8)) }
        return TargetOutput(files: files, readBack: try TFLiteImporter.importModel(tflite),
                            notes: ["tensor arena: \(arena.total) bytes (activations and scratch \(arena.head), interpreter and kernel state at most \(arena.tail)); ops: \(TFLMKernels.methods(for: tflite).joined(separator: ", "))"],
                            details: ["arena_size": String(arena.total), "arena_head": String(arena.head), "arena_tail": String(arena.tail),
                                      "op_resolver": TFLMKernels.methods(for: tflite).joined(separator: ",")],
                            layouts: layouts)
    }
}
