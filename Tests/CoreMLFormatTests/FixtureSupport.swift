import FerryIR
import Foundation
import ONNXFormat
import TensorIO

/// The committed fixtures (fixtures/*/model.onnx) and where exported files go.
enum Fixtures {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static var names: [String] {
        let folder = root.appendingPathComponent("fixtures")
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return entries.filter { FileManager.default.fileExists(atPath: folder.appendingPathComponent("\($0)/model.onnx").path) }.sorted()
    }

    static func model(_ name: String) throws -> Model {
        try ONNXReader.loadModel(path: root.appendingPathComponent("fixtures/\(name)/model.onnx").path)
    }

    /// Sample `index` of the fixture's evaluation data, one tensor per graph input.
    static func evalSample(_ name: String, index: Int) throws -> [String: Tensor] {
        let arrays = try NPZ.read(path: root.appendingPathComponent("fixtures/\(name)/eval.npz").path)
        var feeds: [String: Tensor] = [:]
        for (key, tensor) in arrays where key != "labels" {
            let perSample = tensor.shape.dropFirst().reduce(1, *)
            let width = tensor.dataType.byteSize
            let sample = Tensor(dataType: tensor.dataType, shape: [1] + tensor.shape.dropFirst())
            sample.storage.bytes.copyMemory(from: tensor.storage.bytes.advanced(by: index * perSample * width), byteCount: perSample * width)
            feeds[key] = sample
        }
        return feeds
    }
}
