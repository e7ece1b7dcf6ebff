import ArgumentParser
import FerryBundle

/// `ferry keygen --out KEY`: a new Ed25519 signing key (`KEY`, mode 0600) and its public half (`KEY.pub`).
struct KeygenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keygen", abstract: "Make an Ed25519 key pair for signing bundles (KEY and KEY.pub).")

    @Option(help: "Path of the private key; the public key goes to PATH.pub. Existing files are never overwritten.")
    var out: String

    func run() async throws {
        try await reportingDistributionErrors {
            let key = SigningKey()
            try key.write(to: out)
            print("wrote \(out) (private, keep it secret) and \(out).pub (key id \(key.publicKey.keyID))")
        }
    }
}
