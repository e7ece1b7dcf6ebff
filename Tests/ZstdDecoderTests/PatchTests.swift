import FerryBundle
import FerryBundleWriter
import Foundation
import XCTest
import ZstdDecoder

/// Patch-from deltas made by libzstd (`Delta.make`) apply with the Swift decoder.
final class PatchTests: XCTestCase {
    /// `old` with a few regions rewritten, one inserted and one deleted.
    func edited(_ old: Data, seed: UInt64) -> Data {
        var new = old
        var generator = SplitMix(seed)
        for _ in 0..<4 {
            let at = Int(generator.next() % UInt64(max(new.count - 5_000, 1)))
            let length = min(Int(generator.next() % 4_000) + 1, new.count - at)
            new.replaceSubrange(at..<(at + length), with: Samples.random(length, seed: generator.next()))
        }
        let insertAt = Int(generator.next() % UInt64(new.count))
        new.insert(contentsOf: Samples.text(3_000, seed: seed), at: insertAt)
        let deleteAt = Int(generator.next() % UInt64(new.count / 2))
        new.removeSubrange(deleteAt..<(deleteAt + 1_000))
        return new
    }

    func checkPatch(old: Data, new: Data, level: Int32 = Delta.defaultLevel, _ what: String,
                    file: StaticString = #filePath, line: UInt = #line) throws {
        let patch = try Delta.make(from: old, to: new, level: level)
        let applied = try Delta.apply(patch, to: old, expectedSize: new.count)
        XCTAssert(applied == new, "\(what): patched output differs", file: file, line: line)
        let direct = try ZstdDecoder.decompress(patch, expectedSize: new.count, prefix: old)
        XCTAssert(direct == new, "\(what): patched output differs", file: file, line: line)
    }

    func testFineTunedWeights() throws {
        let old = Samples.weights(2 << 20, seed: 1)
        var new = old
        let head = new.count - new.count / 20
        new.replaceSubrange(head..<new.count, with: Samples.weights(new.count - head, seed: 2))
        try checkPatch(old: old, new: new, "last 5% rewritten")
        let patch = try Delta.make(from: old, to: new)
        XCTAssertLessThan(patch.count, new.count / 10, "the patch should reach into the old payload")
    }

    func testScatteredEdits() throws {
        for (index, old) in [Samples.weights(600_000, seed: 3), Samples.text(700_000, seed: 4),
                             Samples.mixed(900_000, seed: 5)].enumerated() {
            let new = edited(old, seed: UInt64(index) + 10)
            for level in [1, 3, 9, 19] as [Int32] where level < 19 || old.count < 800_000 {
                try checkPatch(old: old, new: new, level: level, "sample \(index), level \(level)")
            }
        }
    }

    func testSmallAndDegeneratePairs() throws {
        let base = Samples.text(50_000, seed: 6)
        try checkPatch(old: base, new: base, "identical")
        try checkPatch(old: base, new: Data(), "to empty")
        try checkPatch(old: base, new: base.prefix(100), "to a prefix")
        try checkPatch(old: Data("x".utf8), new: base, "from one byte")
        try checkPatch(old: base, new: base.suffix(20_000) + base.prefix(20_000), "rotated")
    }

    func testPatchNeedsItsReference() throws {
        let old = Samples.weights(300_000, seed: 7)
        let new = edited(old, seed: 8)
        let patch = try Delta.make(from: old, to: new)
        // Without the prefix the offsets reach before the start of the output.
        XCTAssertThrowsError(try ZstdDecoder.decompress(patch, expectedSize: new.count))
        // With a wrong prefix of the same size, the checksum refuses the result.
        XCTAssertThrowsError(try ZstdDecoder.decompress(patch, expectedSize: new.count, prefix: Samples.weights(300_000, seed: 99)))
    }
}
