import FerryIR
import FerryRuntime
import Foundation
import ONNXFormat

/// Reads a model and prepares it to run; errors name the model file.
func makeSession(path: String, threads: Int) throws -> (Model, InferenceSession) {
    let model = try loadModel(path: path)
    do {
        return (model, try InferenceSession(model: model, options: SessionOptions(threads: threads)))
    } catch let error as RuntimeError {
        throw CLIError("\(path): \(error)")
    }
}

/// Reads a model file, choosing the reader by its content and extension.
func loadModel(path: String) throws -> Model {
    guard FileManager.default.fileExists(atPath: path) else { throw CLIError("model file \(path) does not exist") }
    return try ONNXReader.loadModel(path: path)
}
