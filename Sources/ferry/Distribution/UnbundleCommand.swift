import ArgumentParser
import FerryBundle

/// `ferry unbundle FILE --trusted-key KEY.pub --out DIR`: verify everything, then write atomically.
struct UnbundleCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "unbundle",
        abstract: "Verify a bundle's signature and hashes, then write its files into a new folder.")

    @Argument(help: "The bundle file.") var bundle: String
    @Option(name: .customLong("trusted-key"), help: "Public key(s) allowed to have signed the bundle.") var trustedKeys: [String] = []
    @Option(help: "Folder to create (must not exist, or be empty).") var out: String

    func run() async throws {
        try await reportingDistributionErrors {
            let manifest = try Unbundler.unbundle(bundle, trustedKeys: try loadTrustedKeys(trustedKeys), to: out)
            print("verified and wrote \(manifest.files.count) file(s) of \(manifest.name) \(manifest.version) to \(out)")
        }
    }
}
