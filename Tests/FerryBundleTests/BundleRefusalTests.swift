import FerryBundle
import FerryBundleWriter
import Foundation
import Testing

/// Hostile and damaged bundles are refused before a byte is written.
@Suite struct BundleRefusalTests {
    let key = SigningKey()

    func good() throws -> Data { try BundleBuilder.build(files: sampleFiles(), metadata: metadata(), key: key) }

    @Test func wrongKeyIsRefused() throws {
        #expect(throws: BundleError.self) {
            try VerifiedBundle(data: try good(), source: "m.ferry", trustedKeys: [SigningKey().publicKey])
        }
    }

    @Test func everyFlippedByteIsCaught() throws {
        let data = try good()
        // Flip one byte in the header, the manifest, the signature and the payload.
        for offset in [3, 20, 100, data.count - 70, data.count / 2, data.count - 1] {
            var bad = data
            bad[offset] ^= 0x01
            #expect(throws: BundleError.self, "byte \(offset)") {
                let bundle = try VerifiedBundle(data: bad, source: "m.ferry", trustedKeys: [key.publicKey])
                _ = try bundle.files()
            }
        }
    }

    @Test func truncatedAndExtendedBundlesAreRefused() throws {
        let data = try good()
        for length in [0, 7, 15, 200, data.count - 1] {
            #expect(throws: BundleError.self, "length \(length)") {
                try VerifiedBundle(data: data.prefix(length), source: "m.ferry", trustedKeys: [key.publicKey])
            }
        }
        #expect(throws: BundleError.self) {
            try VerifiedBundle(data: data + Data([0]), source: "m.ferry", trustedKeys: [key.publicKey])
        }
    }

    @Test(arguments: ["../escape.bin", "/etc/passwd", "a/../../b", "a//b", "./a", "C:evil", "a\\b", ".ferry/manifest.json", "bad\u{1}name", ""])
    func hostilePathsAreRefusedBeforeWriting(path: String) throws {
        let files = [BundleInput(path: path, contents: Data("x".utf8))]
        let frame = try Zstd.compress(Data("x".utf8), level: 3)
        let data = try forge(manifest(for: files, frame: frame, key: key), frame: frame, key: key)
        let dir = temporaryDirectory()
        let bundlePath = dir.appendingPathComponent("evil.ferry").path
        try AtomicFile.write(data, to: bundlePath)
        #expect(throws: BundleError.self) {
            try Unbundler.unbundle(bundlePath, trustedKeys: [key.publicKey], to: dir.appendingPathComponent("out").path)
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["evil.ferry"])
    }

    @Test func caseCollidingPathsAreRefused() throws {
        let files = [BundleInput(path: "Model.bin", contents: Data("a".utf8)), BundleInput(path: "model.bin", contents: Data("b".utf8))]
        let frame = try Zstd.compress(Data("ab".utf8), level: 3)
        let data = try forge(manifest(for: files, frame: frame, key: key), frame: frame, key: key)
        #expect(throws: BundleError.unsafePath(path: "model.bin", reason: "differs from another path only by case")) {
            try VerifiedBundle(data: data, source: "evil", trustedKeys: [key.publicKey])
        }
    }

    @Test func decompressionBombIsRefused() throws {
        // 64 MiB of zeros compress to a few KiB; the manifest claims 1 byte.
        let bomb = try Zstd.compress(Data(count: 64 << 20), level: 3)
        let files = [BundleInput(path: "a.bin", contents: Data([0]))]
        let data = try forge(manifest(for: files, frame: bomb, key: key), frame: bomb, key: key)
        let bundle = try VerifiedBundle(data: data, source: "bomb", trustedKeys: [key.publicKey])
        #expect(throws: BundleError.self) { try bundle.files() }
        // A declared size over the limit is refused before decompression.
        let limits = BundleLimits(maxUncompressedSize: 1 << 20, maxBundleSize: 1 << 30)
        let big = [BundleInput(path: "a.bin", contents: Data(count: 64 << 20))]
        let honest = try forge(manifest(for: big, frame: bomb, key: key), frame: bomb, key: key)
        #expect(throws: BundleError.tooLarge(file: "evil", what: "declared uncompressed size \(64 << 20)", limit: 1 << 20)) {
            try VerifiedBundle(data: honest, source: "bomb", trustedKeys: [key.publicKey], limits: limits)
        }
    }

    @Test func notABundleSaysSo() throws {
        #expect(throws: BundleError.malformed(file: "x.onnx", reason: "missing FERRYBDL magic (is this a bundle?)")) {
            try VerifiedBundle(data: Data("\u{8}\u{7}onnx".utf8), source: "x.onnx", trustedKeys: [key.publicKey])
        }
    }

    @Test func badMetadataNamesTheField() throws {
        var meta = metadata()
        meta.version = "1.0"
        #expect(throws: BundleError.invalidField(field: "version", reason: "'1.0' is not a semantic version (MAJOR.MINOR.PATCH)")) {
            try BundleBuilder.build(files: sampleFiles(), metadata: meta, key: key)
        }
        meta = metadata(name: "../Mobile Net")
        #expect(throws: BundleError.self) { try BundleBuilder.build(files: sampleFiles(), metadata: meta, key: key) }
    }
}
