import ArgumentParser
import FerryClient
import Foundation

/// `ferry publish FILE --server URL --token T [--channel C] [--rollout PERCENT]`.
struct PublishCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "publish", abstract: "Upload a bundle to a sync service and put it on a channel.")

    @Argument(help: "The bundle file.") var bundle: String
    @Option(help: "Service URL, e.g. http://127.0.0.1:8080.") var server: String
    @Option(help: "Publisher token (or set FERRY_TOKEN).") var token: String?
    @Option(help: "Channel: stable, beta or any name.") var channel: String = "stable"
    @Option(help: "Share of devices that get it, 0 to 100; below 100 starts a staged rollout.") var rollout: Double = 100

    func run() async throws {
        try await reportingDistributionErrors {
            let client = PublisherClient(server: try serverURL(server), token: try publisherToken(token))
            let result = try await client.publish(bundleAt: bundle, channel: channel, rollout: rollout)
            let state = result.channel.candidate.map { "candidate \($0) at \(result.channel.rollout)%, others on \(result.channel.version ?? "-")" }
                ?? "everyone on \(result.channel.version ?? "-")"
            print("published \(result.model) \(result.version) (\(result.platform)/\(result.runtime)), bundle \(result.bundle.sha256) \(result.bundle.size) bytes")
            for delta in result.deltas { print("  delta from \(delta.fromVersion): \(delta.blob.size) bytes") }
            print("channel \(result.channel.name): \(state); sequence \(result.sequence)")
        }
    }
}

/// The token from the flag or `FERRY_TOKEN`.
func publisherToken(_ flag: String?) throws -> String {
    if let flag, !flag.isEmpty { return flag }
    if let env = ProcessInfo.processInfo.environment["FERRY_TOKEN"], !env.isEmpty { return env }
    throw CLIError("give --token T or set FERRY_TOKEN")
}
