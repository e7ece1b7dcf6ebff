import FerryBundle
import FerryBundleWriter
import Foundation
import Testing

@Suite struct BundleRoundTripTests {
    let key = SigningKey()

    @Test func sameInputsGiveByteIdenticalBundles() throws {
        let a = try BundleBuilder.build(files: sampleFiles(), metadata: metadata(), key: key)
        let b = try BundleBuilder.build(files: sampleFiles().reversed(), metadata: metadata(), key: key)
        #expect(a == b)
        let c = try BundleBuilder.build(files: sampleFiles(seed: 2), metadata: metadata(), key: key)
        #expect(a != c)
    }

    @Test func unbundleWritesVerifiedFilesAndManifest() throws {
        let dir = temporaryDirectory()
        let bundlePath = dir.appendingPathComponent("m.ferry").path
        try AtomicFile.write(try BundleBuilder.build(files: sampleFiles(), metadata: metadata(), key: key), to: bundlePath)
        let out = dir.appendingPathComponent("out")
        let manifest = try Unbundler.unbundle(bundlePath, trustedKeys: [key.publicKey], to: out.path)
        #expect(manifest.name == "mobilenet")
        #expect(manifest.files.map(\.path) == ["assets/labels.txt", "model.tflite"])
        #expect(manifest.io.inputs.first?.quantization?.zeroPoint == [128])
        #expect(manifest.keyID == key.publicKey.keyID)
        let model = try Data(contentsOf: out.appendingPathComponent("model.tflite"))
        #expect(model == weights(200_000, seed: 1))
        let labels = try String(contentsOf: out.appendingPathComponent("assets/labels.txt"), encoding: .utf8)
        #expect(labels == "cat\ndog\nfish\n")
        #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent(".ferry/manifest.json").path))
        // Nothing but the output folder and the bundle is left next to it.
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted() == ["m.ferry", "out"])
    }

    @Test func unbundleRefusesNonEmptyDestination() throws {
        let dir = temporaryDirectory()
        let bundlePath = dir.appendingPathComponent("m.ferry").path
        try AtomicFile.write(try BundleBuilder.build(files: sampleFiles(), metadata: metadata(), key: key), to: bundlePath)
        let out = dir.appendingPathComponent("out")
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        try Data("keep".utf8).write(to: out.appendingPathComponent("mine.txt"))
        #expect(throws: BundleError.exists(path: out.path)) {
            try Unbundler.unbundle(bundlePath, trustedKeys: [key.publicKey], to: out.path)
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: out.path) == ["mine.txt"])
    }

    @Test func keysRoundTripThroughFiles() throws {
        let dir = temporaryDirectory()
        let path = dir.appendingPathComponent("publisher.key").path
        try key.write(to: path)
        let loaded = try SigningKey(contentsOf: path)
        let trusted = try TrustedKey(contentsOf: path + ".pub")
        #expect(loaded.publicKey == key.publicKey)
        #expect(trusted == key.publicKey)
        let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        #expect(throws: BundleError.exists(path: path)) { try key.write(to: path) }
        // A private key passed where a public key belongs gets a clear message.
        #expect(throws: BundleError.self) { try TrustedKey(contentsOf: path) }
    }

    @Test func inspectDescribesAndVerifies() throws {
        let dir = temporaryDirectory()
        let bundlePath = dir.appendingPathComponent("m.ferry").path
        try AtomicFile.write(try BundleBuilder.build(files: sampleFiles(), metadata: metadata(), key: key), to: bundlePath)
        let text = try BundleInspection.describe(path: bundlePath, trustedKeys: [key.publicKey])
        #expect(text.contains("model mobilenet 1.0.0 for tflite ≥ 2.14 on android"))
        #expect(text.contains("signature: valid"))
        #expect(throws: BundleError.self) { try BundleInspection.describe(path: bundlePath, trustedKeys: [SigningKey().publicKey]) }
    }

    @Test func collectInputsWalksFoldersAndRefusesLinks() throws {
        let dir = temporaryDirectory()
        let model = dir.appendingPathComponent("model")
        try FileManager.default.createDirectory(at: model.appendingPathComponent("sub"), withIntermediateDirectories: true)
        try Data("a".utf8).write(to: model.appendingPathComponent("a.bin"))
        try Data("b".utf8).write(to: model.appendingPathComponent("sub/b.bin"))
        let inputs = try BundleBuilder.collectInputs([model.path])
        #expect(Set(inputs.map(\.path)) == ["a.bin", "sub/b.bin"])
        try FileManager.default.createSymbolicLink(atPath: model.appendingPathComponent("link").path, withDestinationPath: "/etc/passwd")
        #expect(throws: BundleError.self) { try BundleBuilder.collectInputs([model.path]) }
        #expect(throws: BundleError.badInput(path: "/nonexistent/x", reason: "no such file or folder")) {
            try BundleBuilder.collectInputs(["/nonexistent/x"])
        }
    }
}
