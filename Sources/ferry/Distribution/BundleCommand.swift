import ArgumentParser
import FerryBundle
import FerryBundleWriter
import Foundation

/// `ferry bundle DIR_OR_FILES… --name N --version V --runtime R --platform P --key KEY --out FILE`.
struct BundleCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bundle",
        abstract: "Pack model files and a signed manifest into one reproducible, zstd-compressed bundle.")

    @Argument(help: "Model files, or folders whose files are bundled under their relative paths.")
    var inputs: [String]

    @Option(help: "Model name: [a-z0-9][a-z0-9._-]{0,63}.") var name: String
    @Option(help: "Semantic version, e.g. 1.2.0.") var version: String
    @Option(help: "Target runtime, e.g. tflite, coreml, onnx, ncnn, tflm.") var runtime: String
    @Option(help: "Target platform, e.g. android, ios, linux, any.") var platform: String
    @Option(help: "Ed25519 private key from `ferry keygen`.") var key: String
    @Option(help: "Bundle file to write (atomically).") var out: String
    @Option(help: "Oldest runtime version that runs the model.") var minRuntimeVersion: String?
    @Option(help: "JSON file with the input/output signature: {\"inputs\": [{\"name\", \"dtype\", \"shape\", \"quantization\", \"normalization\"}], \"outputs\": […]}.")
    var io: String?
    @Option(help: "Text file of class labels, one per line.") var labels: String?
    @Option(help: "JSON drift summary: {\"samples\", \"maxAbsError\", \"meanAbsError\", \"tolerance\", \"passed\"}.") var drift: String?
    @Option(help: "The source model (its SHA-256 goes into the manifest).") var sourceModel: String?
    @Option(help: "zstd level, 1 to 19.") var level: Int32 = BundleBuilder.defaultLevel
    @Flag(help: "Replace --out if it exists.") var force = false

    func run() async throws {
        try await reportingDistributionErrors {
            guard (1...19).contains(level) else { throw CLIError("--level must be 1 to 19") }
            if !force, FileManager.default.fileExists(atPath: out) { throw BundleError.exists(path: out) }
            let signingKey = try SigningKey(contentsOf: key)
            let metadata = BundleMetadata(
                name: name, version: version, runtime: runtime, minRuntimeVersion: minRuntimeVersion, platform: platform,
                io: try io.map { try decodeJSON(IOSignature.self, at: $0) } ?? IOSignature(),
                labels: try labels.map(readLabels) ?? [],
                drift: try drift.map { try decodeJSON(DriftSummary.self, at: $0) },
                sourceModelSHA256: try sourceModel.map { try Digest.sha256Hex(fileAt: $0) },
                ferryVersion: Ferry.version)
            let data = try BundleBuilder.build(files: try BundleBuilder.collectInputs(inputs), metadata: metadata, key: signingKey, level: level)
            try AtomicFile.write(data, to: out)
            print("wrote \(out): \(name) \(version) for \(runtime) on \(platform), \(data.count) bytes, sha256 \(Digest.sha256Hex(data))")
        }
    }

    func decodeJSON<T: Decodable>(_ type: T.Type, at path: String) throws -> T {
        guard let data = FileManager.default.contents(atPath: path) else { throw BundleError.io(path: path, reason: "cannot read") }
        do { return try JSONDecoder().decode(type, from: data) } catch {
            throw BundleError.badInput(path: path, reason: "invalid JSON: \(error)")
        }
    }

    func readLabels(_ path: String) throws -> [String] {
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw BundleError.io(path: path, reason: "cannot read as UTF-8 text")
        }
        return text.split(separator: "\n", omittingEmptySubsequences: false).map { String($0).trimmingCharacters(in: .whitespacesAndNewlines) }
            .reversed().drop(while: \.isEmpty).reversed()
    }
}
