import FerryIR
import FerryRuntime
import Foundation
import Testing
import CoreMLFormat

/// Every fixture: export → encode → decode → read back → run in the reference core, compared
/// with the source on evaluation samples (float32: tight; float16: fp16-sized tolerance).
@Suite struct FixtureRoundTripTests {
    static let exportDirectory = Fixtures.root.appendingPathComponent("build/coreml-export")

    @Test(arguments: Fixtures.names, [CoreMLExportOptions.Precision.float32, .float16])
    func roundTripMatchesTheSource(_ name: String, _ precision: CoreMLExportOptions.Precision) throws {
        let model = try Fixtures.model(name)
        let spec = try CoreMLExporter.export(model, options: CoreMLExportOptions(precision: precision))
        let package = CoreMLExporter.package(spec)
        // Left for tests/test_coreml.py, which checks them with coremltools.
        let folder = Self.exportDirectory.appendingPathComponent("\(name)-\(precision.rawValue).mlpackage")
        try? FileManager.default.removeItem(at: folder)
        for file in package.files() {
            let url = folder.appendingPathComponent(file.path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(file.bytes).write(to: url)
        }
        let read = try CoreMLImporter.importModel(try MLPackage.read(directory: folder.path).decode())
        let source = try InferenceSession(model: model), candidate = try InferenceSession(model: read)
        for index in 0..<3 {
            let feeds = try Fixtures.evalSample(name, index: index)
            let expected = try source.run(feeds), actual = try candidate.run(feeds)
            for (e, a) in zip(expected, actual) {
                #expect(e.shape == a.shape && e.dataType == a.dataType, "\(name)")
                if e.dataType.isFloatingPoint {
                    let ev = e.doubles(), av = a.doubles()
                    let scale = max(ev.map(abs).max() ?? 1, 1e-3)
                    let worst = zip(ev, av).map { abs($0 - $1) }.max() ?? 0
                    #expect(worst / scale <= (precision == .float32 ? 1e-4 : 3e-2), "\(name) \(precision): worst |diff| \(worst) of scale \(scale)")
                } else {
                    #expect(e.integers() == a.integers(), "\(name)")
                }
            }
        }
    }
}
