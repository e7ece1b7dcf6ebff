import ArgumentParser
import FerryBundle
import FerryClient
import Foundation

/// `ferry pull --server URL --model N --platform P --runtime R --device-id ID --trusted-key KEY.pub --out DIR`.
struct PullCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pull",
        abstract: "Ask a sync service what this device should run; download (a delta when possible), verify and install it into a folder.")

    @Option(help: "Service URL.") var server: String
    @Option(help: "Model name.") var model: String
    @Option(help: "Device platform.") var platform: String
    @Option(help: "Runtime.") var runtime: String
    @Option(help: "Runtime version on the device.") var runtimeVersion: String?
    @Option(help: "Stable device id (decides the rollout bucket).") var deviceId: String
    @Option(help: "Device class, for targeted rollouts.") var deviceClass: String?
    @Option(help: "App id.") var appId: String?
    @Option(help: "App version.") var appVersion: String?
    @Option(help: "Channel.") var channel: String = "stable"
    @Option(name: .customLong("trusted-key"), help: "Publisher public key(s).") var trustedKeys: [String] = []
    @Option(help: "The service's metadata public key (DATA/metadata.key.pub); default: pinned on first use.") var metadataKey: [String] = []
    @Option(help: "Folder to install the model files into.") var out: String
    @Option(help: "Client cache (versions, partial downloads, state); default OUT/.ferry/cache.") var cache: String?

    func run() async throws {
        try await reportingDistributionErrors {
            let outURL = URL(fileURLWithPath: out)
            let configuration = ClientConfiguration(
                server: try serverURL(server), model: model, channel: channel, platform: platform, runtime: runtime,
                runtimeVersion: runtimeVersion, appID: appId, appVersion: appVersion, deviceClass: deviceClass, deviceID: deviceId,
                trustedKeys: try loadTrustedKeys(trustedKeys), metadataKeys: try metadataKey.map { try TrustedKey(contentsOf: $0) },
                cacheDirectory: cache.map { URL(fileURLWithPath: $0) } ?? outURL.appendingPathComponent(".ferry/cache"))
            let client = FerryClient(configuration)
            let installed: InstalledModel
            switch try await client.update() {
            case .installed(let model, let viaDelta, let bytes):
                installed = model
                print("installed \(self.model) \(model.version) (\(viaDelta ? "delta" : "full bundle"), \(bytes) bytes downloaded)")
            case .upToDate(let model):
                installed = model
                print("\(self.model) \(model.version) is up to date")
            case .offline(let model, let reason):
                installed = model
                FileHandle.standardError.write(Data("ferry: warning: service unreachable (\(reason)); using cached \(model.version)\n".utf8))
            case .noRelease(let model):
                guard let model else { throw ClientError.noRelease(model: self.model) }
                installed = model
                FileHandle.standardError.write(Data("ferry: warning: no release fits this device; keeping \(model.version)\n".utf8))
            }
            try installed.export(to: outURL)
        }
    }
}
