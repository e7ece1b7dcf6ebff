import FerryBundle
import FerryBundleWriter
import FerrySync
import FerrySyncProtocol
import Foundation
import Logging
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Test support for the distribution targets.
///
/// A sync service on 127.0.0.1 with an ephemeral port and a fresh data folder, plus a publisher key and token.
public final class TestServer: @unchecked Sendable {
    public let service: SyncService
    public let task: Task<Void, any Error>
    public let port: Int
    public let publisher: SigningKey
    public let token: String
    public let dataDirectory: URL
    public var base: String { "http://127.0.0.1:\(port)" }

    /// Starts a service; `configure` may change the configuration (limits, lifetimes) first.
    public static func start(model: String = "mobilenet", publisher: SigningKey = SigningKey(), dataDirectory: URL? = nil,
                             catalog: (any Catalog)? = nil,
                             configure: (inout SyncConfiguration) -> Void = { _ in }) async throws -> TestServer {
        let data = dataDirectory ?? FileManager.default.temporaryDirectory.appendingPathComponent("ferry-sync-\(UUID().uuidString)")
        var logger = Logger(label: "ferry-test")
        logger.logLevel = .warning
        var config = SyncConfiguration(dataDirectory: data, port: 0, trustedKeys: [publisher.publicKey], maxBundleSize: 8 << 20)
        configure(&config)
        let service = try await SyncService.open(config, catalog: catalog, logger: logger)
        let token = try await PublisherToken.create(model: model, catalog: service.catalog, now: 0)
        let (stream, continuation) = AsyncStream.makeStream(of: Int.self)
        let task = Task {
            try await SyncServer.makeApplication(service, onRunning: { port in continuation.yield(port) }).run()
        }
        var iterator = stream.makeAsyncIterator()
        guard let port = await iterator.next() else { throw URLError(.cannotConnectToHost) }
        return TestServer(service: service, task: task, port: port, publisher: publisher, token: token, dataDirectory: data)
    }

    init(service: SyncService, task: Task<Void, any Error>, port: Int, publisher: SigningKey, token: String, dataDirectory: URL) {
        self.service = service
        self.task = task
        self.port = port
        self.publisher = publisher
        self.token = token
        self.dataDirectory = dataDirectory
    }

    /// Stops the server, then closes the catalogue connection the service opened.
    public func stop() async {
        task.cancel()
        _ = await task.result
        try? await service.close()
    }

    public func bundle(_ name: String = "mobilenet", version: String, payload: Data, platform: String = "android",
                runtime: String = "tflite", key: SigningKey? = nil) throws -> Data {
        try BundleBuilder.build(
            files: [BundleInput(path: "model.tflite", contents: payload)],
            metadata: BundleMetadata(name: name, version: version, runtime: runtime, platform: platform, ferryVersion: "test"),
            key: key ?? publisher, level: 3)
    }

    @discardableResult
    public func request(_ method: String, _ path: String, body: Data? = nil, token: String? = nil,
                 headers: [String: String] = [:]) async throws -> (Int, Data, HTTPURLResponse) {
        guard let url = URL(string: base + path) else { throw URLError(.badURL) }
        var request = URLRequest(url: url)
        request.httpMethod = method
        request.httpBody = body
        if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        let (data, response) = try await URLSession.shared.data(for: request)
        guard let http = response as? HTTPURLResponse else { throw URLError(.badServerResponse) }
        return (http.statusCode, data, http)
    }

    public func publish(_ bundle: Data, model: String = "mobilenet", channel: String = "stable", rollout: Double = 100,
                 token: String? = nil) async throws -> (Int, Data) {
        let (status, data, _) = try await request("POST", "/v1/models/\(model)/releases?channel=\(channel)&rollout=\(rollout)",
                                                   body: bundle, token: token ?? self.token)
        return (status, data)
    }

    public func resolve(_ deviceID: String, model: String = "mobilenet", have: String? = nil, extra: String = "") async throws -> ResolveDecision? {
        var path = "/v1/resolve?model=\(model)&platform=android&runtime=tflite&deviceId=\(deviceID)\(extra)"
        if let have { path += "&have=\(have)" }
        let (status, data, _) = try await request("GET", path)
        guard status == 200 else { return nil }
        let signed = try JSONDecoder().decode(SignedMetadata.self, from: data)
        return try signed.verify(with: [service.metadataKey.publicKey])
    }

    public func errorMessage(_ data: Data) -> String {
        (try? JSONDecoder().decode(ErrorBody.self, from: data).error) ?? String(decoding: data, as: UTF8.self)
    }
}

/// Deterministic pseudo-random bytes.
public func weights(_ count: Int, seed: UInt64) -> Data {
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
