import FerryBundle
import FerryBundleWriter
import Foundation
import XCTest
import ZstdDecoder

/// Damaged, hostile and mismatched frames throw a ZstdError; none crashes or reads out of bounds.
final class RobustnessTests: XCTestCase {
    func decodeError(_ frame: Data, expectedSize: Int, prefix: Data? = nil) -> ZstdError? {
        do {
            _ = try ZstdDecoder.decompress(frame, expectedSize: expectedSize, prefix: prefix)
            return nil
        } catch let error as ZstdError {
            return error
        } catch {
            XCTFail("unexpected error type: \(error)")
            return nil
        }
    }

    func testEveryTruncationThrows() throws {
        for data in [Samples.text(3_000, seed: 1), Samples.weights(2_000, seed: 2), Samples.runs(5_000, seed: 3), Data("hi".utf8)] {
            let frame = try Zstd.compress(data, level: 3)
            for cut in 0..<frame.count {
                let error = decodeError(frame.prefix(cut), expectedSize: data.count)
                XCTAssertNotNil(error, "frame cut to \(cut) of \(frame.count) bytes was accepted")
            }
        }
    }

    func testBitFlipsNeverGiveWrongOutput() throws {
        // A flip throws, or lands in a bit the format ignores (the header's unused bit, the slack
        // after a table description) and decodes to the original; the checksum catches the rest.
        var generator = SplitMix(42)
        var refused = 0
        for data in [Samples.text(20_000, seed: 4), Samples.weights(40_000, seed: 5), Samples.mixed(200_000, seed: 6)] {
            let frame = try Zstd.compress(data, level: 3)
            for _ in 0..<300 {
                var bad = frame
                let at = Int(generator.next() % UInt64(frame.count))
                bad[at] ^= UInt8(1) << UInt8(generator.next() % 8)
                if let decoded = try? ZstdDecoder.decompress(bad, expectedSize: data.count) {
                    XCTAssertEqual(decoded, data, "flip at byte \(at) of \(frame.count) gave different bytes")
                } else {
                    refused += 1
                }
            }
        }
        XCTAssertGreaterThan(refused, 850, "most flips change the output and must be refused")
    }

    func testRandomCompressedBlocksThrow() throws {
        // A valid header and a compressed-block header, then random bytes: exercises the literal,
        // table and sequence parsers on garbage.
        var generator = SplitMix(7)
        let header = Data([0x28, 0xB5, 0x2F, 0xFD, 0x60, 0x10, 0x26])  // single segment, 2-byte size 10,000
        var refused = 0
        for round in 0..<3_000 {
            let size = Int(generator.next() % 600) + 1
            let blockHeader = UInt32(size << 3 | 2 << 1 | 1)
            var frame = header
            withUnsafeBytes(of: blockHeader.littleEndian) { frame.append(contentsOf: $0.prefix(3)) }
            frame.append(Samples.random(size, seed: UInt64(round)))
            if decodeError(frame, expectedSize: 10_000) != nil { refused += 1 }
        }
        XCTAssertEqual(refused, 3_000)
    }

    func testMutatedFramesNeverCrash() throws {
        // The mutations of the fuzz harness, on frames of every block and literal type.
        var generator = SplitMix(8)
        let samples = [Samples.text(30_000, seed: 1), Samples.weights(30_000, seed: 2), Samples.runs(30_000, seed: 3),
                       Samples.random(3_000, seed: 4)]
        let frames = try samples.map { try Zstd.compress($0, level: 3) }
        for _ in 0..<3_000 {
            let index = Int(generator.next() % UInt64(frames.count))
            var bytes = [UInt8](frames[index])
            for _ in 0..<(1 + Int(generator.next() % 4)) {
                let at = Int(generator.next() % UInt64(bytes.count))
                switch generator.next() % 4 {
                case 0: bytes[at] ^= UInt8(1) << UInt8(generator.next() % 8)
                case 1: bytes[at] = UInt8(truncatingIfNeeded: generator.next())
                case 2: bytes.remove(at: at)
                default: bytes.insert(UInt8(truncatingIfNeeded: generator.next()), at: at)
                }
            }
            if let decoded = try? ZstdDecoder.decompress(Data(bytes), expectedSize: samples[index].count) {
                XCTAssertEqual(decoded, samples[index], "a mutated frame decoded to different bytes")
            }
        }
    }

    func testWrongExpectedSizeIsRefusedBeforeDecoding() throws {
        let data = Samples.text(5_000, seed: 8)
        let frame = try Zstd.compress(data, level: 3)
        for size in [0, 4_999, 5_001, 1 << 30] {
            let error = decodeError(frame, expectedSize: size)
            XCTAssertEqual(error?.kind, .sizeMismatch, "expected size \(size)")
            XCTAssertEqual(error?.message, "frame declares 5000 bytes, expected \(size)")
        }
    }

    func testTrailingBytesAreRefused() throws {
        let data = Samples.text(1_000, seed: 9)
        let frame = try Zstd.compress(data, level: 3)
        XCTAssertEqual(decodeError(frame + Data([0]), expectedSize: data.count)?.kind, .trailingBytes)
        XCTAssertEqual(decodeError(frame + frame, expectedSize: data.count)?.kind, .trailingBytes)
        // A skippable frame after the data frame is skipped.
        let skippable = Data([0x5A, 0x2A, 0x4D, 0x18, 3, 0, 0, 0, 1, 2, 3])
        XCTAssertEqual(try ZstdDecoder.decompress(skippable + frame + skippable, expectedSize: data.count), data)
        XCTAssertNotNil(decodeError(frame + skippable.dropLast(), expectedSize: data.count))
    }

    func testHugeDeclaredSizeIsRefusedWithoutAllocating() throws {
        // Single-segment frame header declaring 2^62 bytes, then one RLE block.
        var frame = Data([0x28, 0xB5, 0x2F, 0xFD, 0xE0])
        withUnsafeBytes(of: (UInt64(1) << 62).littleEndian) { frame.append(contentsOf: $0) }
        frame.append(contentsOf: [0x03, 0x00, 0x02, 0x00])
        XCTAssertEqual(decodeError(frame, expectedSize: 1 << 20)?.kind, .sizeMismatch)
        XCTAssertEqual(frame.withUnsafeBytes { ZstdDecoder.declaredContentSize($0) }, 1 << 62)
    }

    func testBundleErrorsNameTheFile() throws {
        let frame = try Zstd.compress(Samples.text(1_000, seed: 1), level: 3)
        XCTAssertThrowsError(try Zstd.decompress(frame.dropLast(), expectedSize: 1_000, file: "model.ferry")) { error in
            guard case BundleError.compression(let file, let reason)? = error as? BundleError else {
                return XCTFail("not a compression error: \(error)")
            }
            XCTAssertEqual(file, "model.ferry")
            XCTAssertTrue(reason.contains("input ends inside"), reason)
        }
    }

    func testDictionaryFramesAndFramesWithoutSizeAreUnsupported() {
        // Frame header with a 1-byte dictionary id of 7 and a 1-byte size (single segment).
        let dictionary = Data([0x28, 0xB5, 0x2F, 0xFD, 0x21, 0x07, 0x01, 0x09, 0x00, 0x00, 0x41])
        XCTAssertEqual(decodeError(dictionary, expectedSize: 1)?.kind, .unsupported)
        // No content size: flag 0 without single segment, window descriptor only.
        let unsized = Data([0x28, 0xB5, 0x2F, 0xFD, 0x00, 0x50, 0x01, 0x00, 0x00])
        XCTAssertEqual(decodeError(unsized, expectedSize: 0)?.kind, .unsupported)
    }

    func testHandMadeBlocks() throws {
        // Single segment, 1-byte size 5, no checksum: an RLE block of 5 × "z".
        let rle = Data([0x28, 0xB5, 0x2F, 0xFD, 0x20, 0x05, 0x2B, 0x00, 0x00, 0x7A])
        XCTAssertEqual(try ZstdDecoder.decompress(rle, expectedSize: 5), Data("zzzzz".utf8))
        // The same block claiming 6 bytes overruns the declared 5.
        let overrun = Data([0x28, 0xB5, 0x2F, 0xFD, 0x20, 0x05, 0x33, 0x00, 0x00, 0x7A])
        XCTAssertNotNil(decodeError(overrun, expectedSize: 5))
        // Reserved block type.
        let reserved = Data([0x28, 0xB5, 0x2F, 0xFD, 0x20, 0x05, 0x2F, 0x00, 0x00, 0x7A])
        XCTAssertEqual(decodeError(reserved, expectedSize: 5)?.kind, .corrupt)
        // A frame that stops short of its declared size.
        let short = Data([0x28, 0xB5, 0x2F, 0xFD, 0x20, 0x06, 0x2B, 0x00, 0x00, 0x7A])
        XCTAssertEqual(decodeError(short, expectedSize: 6)?.kind, .sizeMismatch)
    }
}
