import FerryIR
import FerryRuntime
import ONNXFormat
import Foundation

/// One ONNX backend test case in the ONNX test layout: `model.onnx` beside
/// `test_data_set_N/input_K.pb` and `output_K.pb`, plus `case.json` with the tolerances.
public struct ConformanceCase: Sendable {
    public enum Outcome: Sendable, Equatable {
        case passed
        /// The model uses ops the reference core does not run.
        case unsupported(String)
        case failed(String)
    }

    public let name: String
    public let directory: URL

    public init(directory: URL) {
        self.directory = directory
        self.name = directory.lastPathComponent
    }

    /// All cases below `root`, sorted by name.
    public static func all(in root: URL) throws -> [ConformanceCase] {
        try FileManager.default.contentsOfDirectory(at: root, includingPropertiesForKeys: nil)
            .filter { FileManager.default.fileExists(atPath: $0.appendingPathComponent("model.onnx").path) }
            .map(ConformanceCase.init(directory:))
            .sorted { $0.name < $1.name }
    }

    /// The operator types the case's main graph uses.
    public func operators() throws -> Set<String> {
        let model = try ONNXReader.loadModel(path: directory.appendingPathComponent("model.onnx").path)
        return Set(model.graph.nodes.map(\.opType))
    }

    public func run(threads: Int = 1) -> Outcome {
        let model: Model
        do {
            model = try ONNXReader.loadModel(path: directory.appendingPathComponent("model.onnx").path)
        } catch {
            // Element types Ferry does not read (float8, int4, int2, complex) and opsets older
            // than the oldest it reads are reported as unsupported, not as wrong results.
            let text = "\(error)"
            if text.contains("not supported") || text.contains("is older than") { return .unsupported(text) }
            return .failed("load: \(error)")
        }
        let session: InferenceSession
        do {
            session = try InferenceSession(model: model, options: SessionOptions(threads: threads))
        } catch RuntimeError.graph(let error) {
            if case .unsupportedOperator = error { return .unsupported(error.description) }
            return .failed("session: \(error)")
        } catch {
            return .failed("session: \(error)")
        }
        var rtol = 1e-3, atol = 1e-7
        if let data = try? Data(contentsOf: directory.appendingPathComponent("case.json")),
           let json = try? JSONSerialization.jsonObject(with: data) as? [String: Any] {
            rtol = json["rtol"] as? Double ?? rtol
            atol = json["atol"] as? Double ?? atol
        }
        let sets = ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? [])
            .filter { $0.hasPrefix("test_data_set_") }.sorted()
        for set in sets {
            let folder = directory.appendingPathComponent(set)
            do {
                var feeds: [String: Tensor] = [:]
                let graphInputs = model.graph.inputs.map(\.name)
                for (index, name) in graphInputs.enumerated() {
                    let path = folder.appendingPathComponent("input_\(index).pb").path
                    guard FileManager.default.fileExists(atPath: path) else { continue }
                    feeds[name] = try ONNXReader.loadTensor(path: path).tensor
                }
                let outputs = try session.run(feeds)
                for (index, actual) in outputs.enumerated() {
                    let path = folder.appendingPathComponent("output_\(index).pb").path
                    let expected = try ONNXReader.loadTensor(path: path).tensor
                    if let problem = TensorComparison.mismatch(actual: actual, expected: expected, rtol: rtol, atol: atol) {
                        return .failed("\(set) output \(index) '\(session.outputNames[index])': \(problem)")
                    }
                }
            } catch {
                return .failed("\(set): \(error)")
            }
        }
        return .passed
    }
}
