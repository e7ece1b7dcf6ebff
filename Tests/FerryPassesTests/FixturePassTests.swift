import FerryIR
import FerryPasses
import FerryRuntime
import FerryTestSupport
import Foundation
import ONNXFormat
import Testing

/// The standard float pipeline on every committed fixture: outputs unchanged, graph no larger.
@Suite struct FixturePassTests {
    static var fixtures: [String] {
        let dir = ModelComparison.fixturesDirectory
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
        return names.sorted().filter { FileManager.default.fileExists(atPath: dir.appendingPathComponent("\($0)/model.onnx").path) }
    }

    @Test(arguments: fixtures)
    func standardPipelineKeepsOutputs(_ name: String) throws {
        let path = ModelComparison.fixturesDirectory.appendingPathComponent("\(name)/model.onnx").path
        let model = try ONNXReader.loadModel(path: path)
        let feeds = ModelComparison.randomFeeds(for: model, symbolSize: 3)
        for fuse in [false, true] {
            let (optimized, _) = try PassPipeline.standard(fuseActivations: fuse).run(model)
            #expect(optimized.graph.nodes.count <= model.graph.nodes.count)
            #expect(optimized.graph.outputs.map(\.name) == model.graph.outputs.map(\.name))
            #expect(try ModelComparison.mismatch(original: model, rewritten: optimized, feeds: feeds, rtol: 1e-4, atol: 1e-5) == nil,
                    "\(name) fuse=\(fuse)")
        }
    }

    @Test func fixturesLoseTheirShapeSubgraphs() throws {
        // The transformer encoder's export computes reshape targets from Shape ops at run time.
        let path = ModelComparison.fixturesDirectory.appendingPathComponent("transformer_encoder/model.onnx").path
        let model = try ONNXReader.loadModel(path: path)
        let (optimized, _) = try PassPipeline.standard(fuseActivations: false).run(model)
        let before = model.graph.nodes.count, after = optimized.graph.nodes.count
        #expect(after < before, "nodes \(before) → \(after)")
    }
}
