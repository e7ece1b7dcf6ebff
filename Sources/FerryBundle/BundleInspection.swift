import Foundation

/// A human-readable summary of a bundle, for `ferry inspect`.
public enum BundleInspection {
    /// True when `data` starts with the bundle magic.
    public static func isBundle(_ data: Data) -> Bool { data.prefix(8) == BundleFormat.magic }

    /// Describes a bundle; with `trustedKeys`, says whether signature and hashes verify.
    public static func describe(path: String, trustedKeys: [TrustedKey]) throws -> String {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path), options: .mappedIfSafe) } catch {
            throw BundleError.io(path: path, reason: "cannot read")
        }
        let manifest = try VerifiedBundle.unverifiedManifest(data: data, source: path)
        var lines = [
            "bundle \(path) (\(data.count) bytes)",
            "model \(manifest.name) \(manifest.version) for \(manifest.runtime)\(manifest.minRuntimeVersion.map { " ≥ \($0)" } ?? "") on \(manifest.platform)",
            "payload \(manifest.payload.size) bytes, \(manifest.payload.compressedSize) compressed, \(manifest.files.count) file(s):",
        ]
        lines += manifest.files.map { "  \($0.path)  \($0.size) bytes  sha256 \($0.sha256)" }
        for spec in manifest.io.inputs { lines.append("input  \(spec.name) \(spec.dtype) \(spec.shape)") }
        for spec in manifest.io.outputs { lines.append("output \(spec.name) \(spec.dtype) \(spec.shape)") }
        if !manifest.labels.isEmpty { lines.append("labels \(manifest.labels.count): \(manifest.labels.prefix(5).joined(separator: ", "))\(manifest.labels.count > 5 ? ", …" : "")") }
        if let drift = manifest.drift {
            lines.append("drift max |err| \(drift.maxAbsError.map { "\($0)" } ?? "?") over \(drift.samples.map { "\($0)" } ?? "?") samples, passed \(drift.passed.map { "\($0)" } ?? "?")")
        }
        if let source = manifest.sourceModelSHA256 { lines.append("source model sha256 \(source)") }
        lines.append("made by ferry \(manifest.ferryVersion), signed by key \(manifest.keyID)")
        if trustedKeys.isEmpty {
            lines.append("signature: not checked (pass --trusted-key)")
        } else {
            let bundle = try VerifiedBundle(data: data, source: path, trustedKeys: trustedKeys)
            _ = try bundle.files()
            lines.append("signature: valid; every file hash verified")
        }
        return lines.joined(separator: "\n")
    }
}
