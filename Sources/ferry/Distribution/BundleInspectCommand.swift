import ArgumentParser
import FerryBundle
import Foundation

/// `ferry inspect-bundle FILE [--trusted-key KEY.pub]`: what a bundle holds and whether it verifies.
/// (`ferry inspect` forwards bundles here; see ``describeBundleIfAny(path:trustedKeyPaths:)``.)
struct BundleInspectCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect-bundle", abstract: "Show a bundle's manifest; with --trusted-key, verify it.")

    @Argument(help: "The bundle file.") var bundle: String
    @Option(name: .customLong("trusted-key"), help: "Public key(s) to verify the signature and hashes with.") var trustedKeys: [String] = []

    func run() async throws {
        try await reportingDistributionErrors {
            print(try BundleInspection.describe(path: bundle, trustedKeys: try trustedKeys.map { try TrustedKey(contentsOf: $0) }))
        }
    }
}

/// For `ferry inspect`: the description of `path` if it is a Ferry bundle, nil otherwise.
func describeBundleIfAny(path: String, trustedKeyPaths: [String] = []) throws -> String? {
    guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
    let head = try handle.read(upToCount: 8) ?? Data()
    try handle.close()
    guard BundleInspection.isBundle(head) else { return nil }
    return try BundleInspection.describe(path: path, trustedKeys: try trustedKeyPaths.map { try TrustedKey(contentsOf: $0) })
}
