import FerryIR
import Foundation
import XCTest
import TFLiteFormat

/// Exports every fixture; leaves the files in build/tflite-export/ for the LiteRT test.
final class FixtureExportTests: XCTestCase {
    func testEveryFixtureExportsOrIsListedWithItsBlocker() throws {
        try FileManager.default.createDirectory(at: Fixtures.exportDirectory, withIntermediateDirectories: true)
        var report: [String] = []
        for name in Fixtures.names {
            let model = try Fixtures.model(name)
            do {
                let bytes = try TFLiteExporter.export(model)
                XCTAssertNil(Fixtures.blocked[name], "\(name) exports now: remove it from Fixtures.blocked")
                try Data(bytes).write(to: Fixtures.exportDirectory.appendingPathComponent("\(name).tflite"))
                XCTAssertEqual(try TFLiteExporter.export(model), bytes, "\(name): export is not deterministic")
                report.append("\(name): exported, \(bytes.count) bytes")
            } catch let error as TFLiteExportError {
                guard let blocker = Fixtures.blocked[name] else {
                    XCTFail("\(name): \(error)")
                    continue
                }
                guard case .unsupportedOp(_, let op, _) = error, op == blocker else {
                    XCTFail("\(name) should be blocked by \(blocker), got: \(error)")
                    continue
                }
                try? FileManager.default.removeItem(at: Fixtures.exportDirectory.appendingPathComponent("\(name).tflite"))
                report.append("\(name): blocked: \(error)")
            }
        }
        try report.joined(separator: "\n").appending("\n").write(to: Fixtures.exportDirectory.appendingPathComponent("report.txt"),
                                                                  atomically: true, encoding: .utf8)
    }
}
