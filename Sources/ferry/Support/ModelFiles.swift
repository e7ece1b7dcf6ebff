import FerryIR
import FerryVerify
import FerryRuntime
import Foundation
import NCNNFormat
import ONNXFormat
import ORTFormat
import TFLiteFormat

/// Reads a model and prepares it to run; errors name the model file.
/// `arithmetic`: "auto" runs a TFLite file's quantized ops on integer kernels with double
/// rounding (what TFLite and TFLM builds use by default) and an ONNX file's QDQ nodes as ONNX
/// Runtime does (float between the quantize steps); "double"/"single" force integer kernels
/// with that requantization rounding; "float" forces the QDQ float form.
func makeSession(path: String, threads: Int, arithmetic: String = "auto", exposingIntermediates: Bool = false) throws -> (Model, InferenceSession) {
    var model = try loadModel(path: path)
    var options = try sessionOptions(path: path, threads: threads, arithmetic: arithmetic)
    do {
        if exposingIntermediates { (model, options) = try model.exposingIntermediates(for: options) }
        return (model, try InferenceSession(model: model, options: options))
    } catch let error as RuntimeError {
        throw CLIError("\(path): \(error)")
    }
}

/// Session options for `--threads` and `--arithmetic` (see makeSession).
func sessionOptions(path: String, threads: Int, arithmetic: String) throws -> SessionOptions {
    var options = SessionOptions(threads: threads)
    switch arithmetic {
    case "auto": options.integerArithmetic = modelFormat(path: path) == "tflite" ? .double : nil
    case "float": options.integerArithmetic = nil
    default:
        guard let rounding = IntegerRounding(rawValue: arithmetic) else {
            throw CLIError("--arithmetic '\(arithmetic)': expected auto, float, double or single")
        }
        options.integerArithmetic = rounding
    }
    return options
}

/// Reads a model file, choosing the reader by its content and extension.
func loadModel(path: String) throws -> Model {
    guard FileManager.default.fileExists(atPath: path) else { throw CLIError("model file \(path) does not exist") }
    if modelFormat(path: path) == "tflite" {
        do {
            return try TFLiteImporter.importModel(bytes: Array(try Data(contentsOf: URL(fileURLWithPath: path))))
        } catch let error as TFLiteReadError {
            throw CLIError("\(path): \(error)")
        } catch let error as TFLiteImportError {
            throw CLIError("\(path): \(error)")
        }
    }
    if modelFormat(path: path) == "ncnn" {
        do {
            return try NCNNImporter.importModel(paramPath: path)
        } catch let error as NCNNImportError {
            throw CLIError(error.description)
        }
    }
    // BEGIN ort
    if modelFormat(path: path) == "ort" {
        do {
            return try ORTReader.read(Array(try Data(contentsOf: URL(fileURLWithPath: path))), file: path).model
        } catch let error as ORTError {
            throw CLIError(error.description)
        }
    }
    // END ort
    return try ONNXReader.loadModel(path: path)
}

/// "tflite" for a TFLite flatbuffer (by its TFL3 identifier or extension), "ncnn" for an NCNN
/// `.param` (by its extension or magic line), else "onnx".
func modelFormat(path: String) -> String {
    let head = FileHandle(forReadingAtPath: path).map { handle in defer { try? handle.close() }; return handle.readData(ofLength: 8) }
    if path.hasSuffix(".tflite") || head.map({ TFLiteReader.isTFLite(Array($0)) }) == true { return "tflite" }
    if path.hasSuffix(".param") || head.map({ $0.starts(with: Data("7767517".utf8)) }) == true { return "ncnn" }
    // BEGIN ort: ONNX Runtime's ORT format carries "ORTM" after the root offset.
    if path.hasSuffix(".ort") || head.map({ $0.count == 8 && $0.suffix(4) == Data("ORTM".utf8) }) == true { return "ort" }
    // END ort
    return "onnx"
}
