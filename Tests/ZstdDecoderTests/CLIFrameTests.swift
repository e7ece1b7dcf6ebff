import Foundation
import XCTest
import ZstdDecoder

/// Frames written by the `zstd` command-line tool, with options the library defaults don't use.
final class CLIFrameTests: XCTestCase {
    var zstd: String!
    var folder: URL!

    override func setUpWithError() throws {
        guard let path = ["/usr/bin/zstd", "/usr/local/bin/zstd", "/opt/homebrew/bin/zstd"]
            .first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw XCTSkip("the zstd command-line tool is not installed")
        }
        zstd = path
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("zstd-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        if let folder { try? FileManager.default.removeItem(at: folder) }
    }

    /// Compresses `data` with `zstd ARGUMENTS` and returns the frame.
    func cli(_ data: Data, _ arguments: [String], reference: Data? = nil) throws -> Data {
        let input = folder.appendingPathComponent("input"), output = folder.appendingPathComponent("output.zst")
        try data.write(to: input)
        var extra: [String] = []
        if let reference {
            let base = folder.appendingPathComponent("base")
            try reference.write(to: base)
            extra = ["--patch-from=\(base.path)"]
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: zstd)
        process.arguments = ["-q", "-f"] + arguments + extra + [input.path, "-o", output.path]
        try process.run()
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0, "zstd \(arguments)")
        return try Data(contentsOf: output)
    }

    func testOptionsTheLibraryPathDoesNotUse() throws {
        let data = Samples.mixed(700_000, seed: 21)
        for arguments in [["-1"], ["--fast=7"], ["-6", "--no-check"], ["--ultra", "-22"], ["-9", "--long=24"],
                          ["-3", "-T2"], ["-3", "--rsyncable"], ["-19", "--no-check"]] {
            let frame = try cli(data, arguments)
            XCTAssertEqual(try ZstdDecoder.decompress(frame, expectedSize: data.count), data, "zstd \(arguments)")
        }
    }

    func testPatchFromFramesDecodeWithTheirReference() throws {
        let old = Samples.weights(800_000, seed: 22)
        var new = old
        new.replaceSubrange(100_000..<120_000, with: Samples.random(20_000, seed: 23))
        new.append(Samples.text(50_000, seed: 24))
        for level in ["-3", "-19"] {
            let patch = try cli(new, [level], reference: old)
            XCTAssertLessThan(patch.count, 200_000)
            XCTAssertEqual(try ZstdDecoder.decompress(patch, expectedSize: new.count, prefix: old), new, "--patch-from \(level)")
        }
    }

    func testFramesWithoutAContentSizeAreRefused() throws {
        let data = Samples.text(10_000, seed: 25)
        let frame = try cli(data, ["-3", "--no-content-size"])
        XCTAssertThrowsError(try ZstdDecoder.decompress(frame, expectedSize: data.count)) { error in
            XCTAssertEqual((error as? ZstdError)?.kind, .unsupported)
        }
    }
}
