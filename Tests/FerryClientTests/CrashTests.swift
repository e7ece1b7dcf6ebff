import FerryBundle
import FerryBundleWriter
import FerryClient
import FerryDistributionTestSupport
import FerrySyncProtocol
import Foundation
import Testing
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// kill -9 of a real `ferry serve` (FERRY_BIN, set by `make test`) during publishes and downloads:
/// after a restart nothing is lost and nothing is half-visible.
@Suite(.serialized, .enabled(if: ServerProcess.binaryPath != nil, "needs FERRY_BIN (make test sets it)"))
struct CrashTests {
    let key = SigningKey()

    func setUp() throws -> (ServerProcess, URL) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ferry-crash-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let keyPath = dir.appendingPathComponent("publisher.key").path
        try key.write(to: keyPath)
        let server = ServerProcess(binary: ServerProcess.binaryPath ?? "", dataDirectory: dir.appendingPathComponent("data"),
                                   trustedKeyPath: keyPath + ".pub")
        return (server, dir)
    }

    func bundle(version: String, size: Int, seed: UInt64) throws -> Data {
        try BundleBuilder.build(files: [BundleInput(path: "model.bin", contents: weights(size, seed: seed))],
                                metadata: BundleMetadata(name: "crashy", version: version, runtime: "onnx", platform: "linux", ferryVersion: "test"),
                                key: key, level: 1)
    }

    /// A fresh session per request: no pooled connection to a killed server is reused.
    func session() -> URLSession {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = 120
        return URLSession(configuration: configuration)
    }

    func get(_ url: String) async throws -> (Int, Data) {
        let (data, response) = try await session().data(from: URL(string: url)!)
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, data)
    }

    func publish(_ body: Data, server: ServerProcess, token: String) async throws -> Int {
        var request = URLRequest(url: URL(string: server.base + "/v1/models/crashy/releases")!)
        request.httpMethod = "POST"
        request.httpBody = body
        request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
        return ((try await session().data(for: request)).1 as? HTTPURLResponse)?.statusCode ?? 0
    }

    /// Every blob under its name matches its SHA-256, and the upload folder is empty after a start.
    func checkBlobs(_ server: ServerProcess) throws {
        let root = server.dataDirectory.appendingPathComponent("blobs")
        let names = FileManager.default.enumerator(atPath: root.appendingPathComponent("sha256").path)?.compactMap { $0 as? String } ?? []
        for name in names where name.count == 67 {
            let data = try Data(contentsOf: root.appendingPathComponent("sha256").appendingPathComponent(name))
            #expect(Digest.sha256Hex(data) == String(name.suffix(64)), "damaged blob \(name)")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("tmp").path).isEmpty)
    }

    @Test func killDuringPublishLosesNothingAndShowsNothingHalfDone() async throws {
        let (server, _) = try setUp()
        try server.start()
        let token = try server.run(["token", "create", "--data", server.dataDirectory.path, "--model", "crashy"])
        let first = try bundle(version: "1.0.0", size: 2 << 20, seed: 1)
        #expect(try await publish(first, server: server, token: token) == 201)

        // 1. Killed while the body is arriving: half an upload is sent, then SIGKILL.
        let second = try bundle(version: "2.0.0", size: 8 << 20, seed: 2)
        let connection = try RawConnection(port: server.port)
        connection.send(Data("POST /v1/models/crashy/releases HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(token)\r\nContent-Length: \(second.count)\r\n\r\n".utf8))
        connection.send(second.prefix(second.count / 2))
        try await Task.sleep(for: .milliseconds(200))
        server.kill9()
        try server.start()
        try checkBlobs(server)
        var (status, data) = try await get(server.base + "/v1/models/crashy")
        var info = try JSONDecoder().decode(ModelInfo.self, from: data)
        #expect(status == 200 && info.releases.map(\.version) == ["1.0.0"])

        // 2. Killed at random moments while whole publishes are in flight: each version is either
        //    fully there (listed, resolvable, blob intact) or absent and publishable again.
        for (index, delay) in [5, 50, 300, 1000, 3000].enumerated() {
            let version = "3.0.\(index)"
            let body = try bundle(version: version, size: 6 << 20, seed: UInt64(10 + index))
            let attempt = Task { try? await publish(body, server: server, token: token) }
            try await Task.sleep(for: .milliseconds(delay))
            server.kill9()
            _ = await attempt.value
            try server.start()
            try checkBlobs(server)
            (status, data) = try await get(server.base + "/v1/models/crashy")
            info = try JSONDecoder().decode(ModelInfo.self, from: data)
            if let release = info.releases.first(where: { $0.version == version }) {
                let (blobStatus, blob) = try await get(server.base + release.bundle.url)
                #expect(blobStatus == 200 && Digest.sha256Hex(blob) == release.bundle.sha256)
                #expect(try await publish(body, server: server, token: token) == 409)
            } else {
                #expect(try await publish(body, server: server, token: token) == 201, "\(version) after kill at \(delay) ms")
            }
            #expect(info.releases.contains { $0.version == "1.0.0" })
        }
        server.stop()
    }

    @Test func killDuringDownloadThenResume() async throws {
        let (server, dir) = try setUp()
        try server.start()
        let token = try server.run(["token", "create", "--data", server.dataDirectory.path, "--model", "crashy"])
        let body = try bundle(version: "1.0.0", size: 16 << 20, seed: 3)
        #expect(try await publish(body, server: server, token: token) == 201)
        let digest = Digest.sha256Hex(body)

        // Read the first 5 MiB of the download, then SIGKILL the server mid-transfer.
        let connection = try RawConnection(port: server.port)
        connection.send(Data("GET /v1/blobs/\(digest) HTTP/1.1\r\nHost: x\r\n\r\n".utf8))
        let received = connection.receive(upTo: 5 << 20)
        server.kill9()
        guard let split = received.range(of: Data("\r\n\r\n".utf8)) else { Issue.record("no response head"); return }
        let partial = received[split.upperBound...]
        #expect(partial.count > 0 && partial.count < body.count)

        // The app's client finds the partial file, the restarted server serves the rest.
        let config = ClientConfiguration(
            server: URL(string: server.base)!, model: "crashy", platform: "linux", runtime: "onnx", deviceID: "d1",
            trustedKeys: [key.publicKey], cacheDirectory: dir.appendingPathComponent("client"))
        let downloads = config.cacheDirectory.appendingPathComponent("downloads")
        try FileManager.default.createDirectory(at: downloads, withIntermediateDirectories: true)
        try Data(partial).write(to: downloads.appendingPathComponent(digest + ".part"))
        try server.start()
        guard case .installed(let model, _, let bytes) = try await FerryClient(config).update() else {
            Issue.record("not installed"); return
        }
        #expect(bytes == body.count - partial.count)
        #expect(try Data(contentsOf: model.directory.appendingPathComponent("model.bin")) == weights(16 << 20, seed: 3))
        server.stop()
    }
}
