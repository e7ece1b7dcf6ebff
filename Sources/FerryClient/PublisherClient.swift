import FerryBundle
import FerrySyncProtocol
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The publisher's side of the API: publish bundles, change rollouts, roll back, read the audit log.
public struct PublisherClient: Sendable {
    public let server: URL
    let token: String
    let session: URLSession

    public init(server: URL, token: String, session: URLSession = .shared) {
        self.server = server
        self.token = token
        self.session = session
    }

    /// Uploads a bundle file to its model's releases.
    public func publish(bundleAt path: String, channel: String = "stable", rollout: Double = 100) async throws -> PublishResult {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path), options: .mappedIfSafe) } catch {
            throw ClientError.cache(path: path, reason: "cannot read bundle")
        }
        let manifest: Manifest
        do { manifest = try VerifiedBundle.unverifiedManifest(data: data, source: path) } catch let error as BundleError {
            throw ClientError.verification(error)
        }
        var components = URLComponents(url: server.appendingPathComponent("v1/models/\(manifest.name)/releases"), resolvingAgainstBaseURL: false)
        components?.queryItems = [URLQueryItem(name: "channel", value: channel), URLQueryItem(name: "rollout", value: String(rollout))]
        var request = try self.request(components?.url, method: "POST")
        request.setValue("application/octet-stream", forHTTPHeaderField: "Content-Type")
        request.httpBody = data
        return try decode(PublishResult.self, try await HTTP.send(request, session: session, expect: [201]))
    }

    /// Sets a channel's rollout (and optionally the version rolled out).
    public func setRollout(model: String, channel: String, update: ChannelUpdate) async throws -> ChannelInfo {
        var request = try self.request(server.appendingPathComponent("v1/models/\(model)/channels/\(channel)"), method: "PUT")
        request.httpBody = try WireJSON.encode(update)
        return try decode(ChannelInfo.self, try await HTTP.send(request, session: session))
    }

    /// Pins a channel to `version` at once.
    public func rollback(model: String, channel: String, version: String) async throws -> ChannelInfo {
        var request = try self.request(server.appendingPathComponent("v1/models/\(model)/channels/\(channel)/rollback"), method: "POST")
        request.httpBody = try WireJSON.encode(RollbackRequest(version: version))
        return try decode(ChannelInfo.self, try await HTTP.send(request, session: session))
    }

    /// The model's audit log, newest first.
    public func audit(model: String) async throws -> [AuditEntry] {
        try decode([AuditEntry].self, try await HTTP.send(try request(server.appendingPathComponent("v1/models/\(model)/audit"), method: "GET"),
                                                          session: session))
    }

    func request(_ url: URL?, method: String) throws -> URLRequest {
        guard let url else { throw ClientError.untrustedMetadata(reason: "cannot build request URL") }
        var request = URLRequest(url: url)
        request.httpMethod = method
        request.timeoutInterval = 600
        request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        return request
    }

    func decode<T: Decodable>(_ type: T.Type, _ data: Data) throws -> T {
        do { return try JSONDecoder().decode(type, from: data) } catch {
            throw ClientError.untrustedMetadata(reason: "malformed answer: \(error)")
        }
    }
}
