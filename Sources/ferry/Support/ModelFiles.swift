import FerryIR
import Foundation
import ONNXFormat

/// Reads a model file, choosing the reader by its content and extension.
func loadModel(path: String) throws -> Model {
    guard FileManager.default.fileExists(atPath: path) else { throw CLIError("model file \(path) does not exist") }
    return try ONNXReader.loadModel(path: path)
}
