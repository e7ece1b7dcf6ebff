import FerryIR
import FerryRuntime
import Foundation
import ONNXFormat
import Testing

/// Inputs the fuzzer (make fuzz) once crashed on: each must now load, build and run with zero
/// inputs or be refused with an error, never crash the process.
@Suite struct FuzzRegressionTests {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("fixtures/fuzz")

    static var files: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).filter { $0.hasSuffix(".onnx") }.sorted()
    }

    @Test func thereAreRegressionInputs() { #expect(!Self.files.isEmpty) }

    @Test(arguments: files)
    func loadsAndRunsOrRefusesCleanly(_ name: String) {
        let path = Self.folder.appendingPathComponent(name).path
        guard let model = try? ONNXReader.loadModel(path: path), let session = try? InferenceSession(model: model) else { return }
        var feeds: [String: Tensor] = [:]
        for input in session.inputs {
            guard let type = input.type, let dims = type.shape?.map({ $0.value ?? 1 }) else { return }
            feeds[input.name] = Tensor(dataType: type.dataType, shape: dims)
        }
        #expect(throws: (any Error).self) { try session.run(feeds) }
    }
}
