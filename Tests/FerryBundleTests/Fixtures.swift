import FerryBundle
import FerryBundleWriter
import Foundation

/// Deterministic pseudo-random bytes (SplitMix64), so "weights" are the same on every run.
func weights(_ count: Int, seed: UInt64) -> Data {
    var state = seed
    var out = Data(capacity: count)
    while out.count < count {
        state &+= 0x9e37_79b9_7f4a_7c15
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        z ^= z >> 31
        withUnsafeBytes(of: z) { out.append(contentsOf: $0.prefix(count - out.count)) }
    }
    return out
}

func metadata(name: String = "mobilenet", version: String = "1.0.0") -> BundleMetadata {
    BundleMetadata(
        name: name, version: version, runtime: "tflite", minRuntimeVersion: "2.14", platform: "android",
        io: IOSignature(
            inputs: [TensorSpec(name: "image", dtype: "uint8", shape: [1, 224, 224, 3],
                                quantization: Quantization(scale: [0.0078125], zeroPoint: [128]),
                                normalization: Normalization(mean: [127.5], std: [127.5]))],
            outputs: [TensorSpec(name: "scores", dtype: "float32", shape: [1, 3])]),
        labels: ["cat", "dog", "fish"], drift: DriftSummary(samples: 16, maxAbsError: 1e-5, passed: true),
        sourceModelSHA256: String(repeating: "ab", count: 32), ferryVersion: "0.1.0")
}

func sampleFiles(seed: UInt64 = 1) -> [BundleInput] {
    [BundleInput(path: "model.tflite", contents: weights(200_000, seed: seed)),
     BundleInput(path: "assets/labels.txt", contents: Data("cat\ndog\nfish\n".utf8))]
}

func temporaryDirectory() -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("ferry-bundle-tests-\(UUID().uuidString)")
    try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// Signs an arbitrary (possibly hostile) manifest and frame with `key`, as an attacker holding a key would.
func forge(_ manifest: Manifest, frame: Data, key: SigningKey) throws -> Data {
    let bytes = try BundleFormat.encode(manifest)
    let signature = try key.sign(BundleFormat.signedMessage(manifestBytes: bytes))
    return BundleFormat.assemble(manifestBytes: bytes, signature: signature, frame: frame)
}

/// A manifest describing `files` packed in `frame`, trusting the caller's numbers.
func manifest(for files: [BundleInput], frame: Data, key: SigningKey, payloadSize: Int? = nil) -> Manifest {
    let payload = Payload.concatenate(files.map(\.contents))
    return Manifest(
        name: "evil", version: "1.0.0", runtime: "tflite", platform: "android",
        files: files.map { FileEntry(path: $0.path, size: $0.contents.count, sha256: Digest.sha256Hex($0.contents)) },
        payload: PayloadInfo(size: payloadSize ?? payload.count, sha256: Digest.sha256Hex(payload),
                             compressedSize: frame.count, compressedSHA256: Digest.sha256Hex(frame)),
        ferryVersion: "0.1.0", keyID: key.publicKey.keyID)
}
