import ArgumentParser
import FerryClient
import FerrySyncProtocol
import Foundation

/// `ferry rollout --server URL --token T --model N [--channel C] [--version V] --percent P`.
struct RolloutCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rollout", abstract: "Start, widen or complete a staged rollout (100 promotes the candidate to everyone).")

    @Option(help: "Service URL.") var server: String
    @Option(help: "Publisher token (or set FERRY_TOKEN).") var token: String?
    @Option(help: "Model name.") var model: String
    @Option(help: "Channel.") var channel: String = "stable"
    @Option(help: "Version to roll out (default: the channel's current candidate).") var version: String?
    @Option(help: "Share of devices, 0 to 100.") var percent: Double
    @Option(help: "Limit the candidate to these device classes (repeat the flag).") var deviceClass: [String] = []
    @Option(help: "Lowest app version that gets the candidate.") var minAppVersion: String?

    func run() async throws {
        try await reportingDistributionErrors {
            let client = PublisherClient(server: try serverURL(server), token: try publisherToken(token))
            let update = ChannelUpdate(version: version, rollout: percent, deviceClasses: deviceClass.isEmpty ? nil : deviceClass,
                                       minAppVersion: minAppVersion)
            let info = try await client.setRollout(model: model, channel: channel, update: update)
            print("channel \(info.name): version \(info.version ?? "-")" + (info.candidate.map { ", candidate \($0) at \(info.rollout)%" } ?? ""))
        }
    }
}

/// `ferry rollback --server URL --token T --model N [--channel C] --version V`.
struct RollbackCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rollback", abstract: "Pin a channel to an earlier version at once, cancelling any rollout.")

    @Option(help: "Service URL.") var server: String
    @Option(help: "Publisher token (or set FERRY_TOKEN).") var token: String?
    @Option(help: "Model name.") var model: String
    @Option(help: "Channel.") var channel: String = "stable"
    @Option(help: "The version everyone gets.") var version: String

    func run() async throws {
        try await reportingDistributionErrors {
            let client = PublisherClient(server: try serverURL(server), token: try publisherToken(token))
            let info = try await client.rollback(model: model, channel: channel, version: version)
            print("channel \(info.name) pinned to \(info.version ?? "-")")
        }
    }
}

/// `ferry audit --server URL --token T --model N`: the model's audit log, newest first.
struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "audit", abstract: "Show a model's audit log.")

    @Option(help: "Service URL.") var server: String
    @Option(help: "Publisher token (or set FERRY_TOKEN).") var token: String?
    @Option(help: "Model name.") var model: String

    func run() async throws {
        try await reportingDistributionErrors {
            let client = PublisherClient(server: try serverURL(server), token: try publisherToken(token))
            for entry in try await client.audit(model: model) {
                let when = Date(timeIntervalSince1970: TimeInterval(entry.at)).ISO8601Format()
                print("\(when) \(entry.action) \(entry.channel ?? "-") \(entry.version ?? "-") by token \(entry.actor): \(entry.detail)")
            }
        }
    }
}
