import FerryBundle
import FerryBundleWriter
import Foundation
import Testing

@Suite struct DeltaTests {
    @Test func fineTunedModelGivesASmallDelta() throws {
        // 4 MiB of weights; a fine-tune rewrites the last 5% (the head).
        let old = weights(4 << 20, seed: 7)
        var new = old
        let head = new.count - new.count / 20
        new.replaceSubrange(head..<new.count, with: weights(new.count - head, seed: 8))
        let patch = try Delta.make(from: old, to: new)
        let full = try Zstd.compress(new, level: BundleBuilder.defaultLevel)
        #expect(patch.count < full.count / 10, "delta \(patch.count) vs full \(full.count)")
        #expect(try Delta.apply(patch, to: old, expectedSize: new.count) == new)
    }

    @Test func patchAgainstTheWrongBaseIsCaughtByHashes() throws {
        // The new payload mostly copies the old one, so the patch refers to the base.
        let old = weights(100_000, seed: 1)
        let new = old.prefix(90_000) + weights(10_000, seed: 2)
        let key = SigningKey()
        let bundle = try VerifiedBundle(
            data: try BundleBuilder.build(files: [BundleInput(path: "m.bin", contents: new)], metadata: metadata(), key: key),
            source: "new", trustedKeys: [key.publicKey])
        let patch = try Delta.make(from: old, to: new)
        #expect(try Delta.apply(patch, to: old, manifest: bundle.manifest).first?.contents == new)
        #expect(throws: BundleError.self) { try Delta.apply(patch, to: weights(100_000, seed: 3), manifest: bundle.manifest) }
    }
}

@Suite struct SemanticVersionTests {
    @Test func parsesAndOrders() {
        let ordered = ["1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta", "1.0.0-beta.2", "1.0.0-beta.11",
                       "1.0.0-rc.1", "1.0.0", "1.0.1", "1.10.0", "2.0.0"].map { SemanticVersion($0)! }
        for (a, b) in zip(ordered, ordered.dropFirst()) { #expect(a < b, "\(a) < \(b)") }
        #expect(SemanticVersion("1.0.0+build.5") == SemanticVersion("1.0.0"))
        for bad in ["1", "1.0", "01.0.0", "1.0.0-", "1.0.0-01", "a.b.c", "1.0.0+", " 1.0.0", "1.0.0.0"] {
            #expect(SemanticVersion(bad) == nil, "\(bad)")
        }
    }
}
