import FerryIR
import Foundation
import ONNXFormat
import Testing

@Suite struct ONNXReaderTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    func path(_ relative: String) -> String { Self.root.appendingPathComponent(relative).path }

    @Test func readsGraphInitializersAndTypes() throws {
        let model = try ONNXReader.loadModel(path: path("fixtures/bad/good.onnx"))
        #expect(model.opset == 17)
        #expect(model.graph.nodes.map(\.opType) == ["Add", "Relu"])
        #expect(model.graph.initializers["b"]?.elements(as: Float.self) == [0, 1, 2, 3])
        #expect(model.graph.inputs.first?.type == ValueType(dataType: .float32, dims: [1, 4]))
    }

    @Test func readsExternalData() throws {
        let model = try ONNXReader.loadModel(path: path("fixtures/bad/external/model.onnx"))
        let b = try #require(model.graph.initializers["b"])
        let third: Float = 1.0 / 3
        let expected: [Float] = [-1, -third, third, 1]
        let actual = b.elements(as: Float.self)
        #expect(zip(actual, expected).allSatisfy { abs($0 - $1) < 1e-6 })
    }

    @Test func refusesExternalDataOutsideTheModelFolder() {
        #expect(throws: ONNXError.self) { try ONNXReader.loadModel(path: path("fixtures/bad/external/escaping.onnx")) }
    }

    @Test(arguments: ["truncated.onnx", "corrupted.onnx", "not_onnx.onnx", "short_initializer.onnx", "opset6.onnx", "cycle.onnx", "dangling_input.onnx"])
    func refusesBrokenFilesWithAnErrorNamingThem(_ name: String) {
        do {
            _ = try ONNXReader.loadModel(path: path("fixtures/bad/\(name)"))
            Issue.record("\(name) was accepted")
        } catch {
            #expect("\(error)".contains(name))
        }
    }

    @Test func everyPrefixOfAModelIsRefusedCleanly() throws {
        // Truncation at any byte must give an error, never a crash or a silently smaller model.
        let data = try Data(contentsOf: URL(fileURLWithPath: path("fixtures/digits_cnn/model.onnx")))
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("ferry-prefix-\(getpid())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("cut.onnx")
        var accepted = 0
        for cut in stride(from: 1, to: data.count, by: max(1, data.count / 400)) {
            try data.prefix(cut).write(to: file)
            if (try? ONNXReader.loadModel(path: file.path)) != nil { accepted += 1 }
        }
        #expect(accepted == 0)
    }
}
