import FerryBundle
import FerryBundleWriter
import Foundation
import XCTest
import ZstdDecoder

/// Frames made by libzstd decode to the same bytes with the Swift decoder.
final class DifferentialTests: XCTestCase {
    static let levels: [Int32] = [-5, -1, 1, 3, 9, 19]

    func check(_ data: Data, levels: [Int32] = levels, _ what: String, file: StaticString = #filePath, line: UInt = #line) throws {
        for level in levels {
            let frame = try Zstd.compress(data, level: level)
            let decoded: Data
            do {
                decoded = try ZstdDecoder.decompress(frame, expectedSize: data.count)
            } catch {
                XCTFail("\(what), level \(level), \(data.count) bytes: \(error)", file: file, line: line)
                continue
            }
            XCTAssert(decoded == data, "\(what), level \(level), \(data.count) bytes: output differs", file: file, line: line)
        }
    }

    func testEmptyAndTinyInputs() throws {
        try check(Data(), "empty")
        for size in [1, 2, 3, 7, 8, 15, 16, 31, 64, 100, 255, 256, 1000, 1023, 1024, 1500] {
            try check(Samples.text(size, seed: UInt64(size)), "text")
            try check(Samples.random(size, seed: UInt64(size)), "random")
            try check(Samples.runs(size, seed: UInt64(size)), "runs")
        }
    }

    func testRandomBytesAreStoredRaw() throws {
        for size in [5_000, 131_072, 131_073, 400_000] {
            try check(Samples.random(size, seed: 11), "random")
        }
    }

    func testRuns() throws {
        try check(Samples.runs(300_000, seed: 3), "runs")
        try check(Data(repeating: 0, count: 1 << 20), "zeros")
        try check(Data(repeating: 0xAB, count: 131_072 * 2 + 5), "one byte")
    }

    func testText() throws {
        for size in [10_000, 131_071, 131_072, 131_073, 500_000] {
            try check(Samples.text(size, seed: UInt64(size)), "text")
        }
    }

    func testFloatWeights() throws {
        for size in [4_096, 131_072 + 4, 1 << 20] {
            try check(Samples.weights(size, seed: 5), "weights")
        }
    }

    func testSeveralMegabytes() throws {
        // Level 19 on megabytes is slow in libzstd itself; the smaller cases cover it.
        try check(Samples.mixed(3 << 20, seed: 9), levels: [-5, 1, 3, 9], "mixed")
        try check(Samples.weights(4 << 20, seed: 2), levels: [3], "weights")
    }
}
