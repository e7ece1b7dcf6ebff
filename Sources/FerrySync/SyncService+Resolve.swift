import FerryBundle
import FerrySyncProtocol
import Foundation

extension SyncService {
    /// Answers resolve with the signed decision as JSON bytes (``SignedMetadata``).
    public func resolve(_ query: ResolveQuery) async throws -> Data {
        let now = Date().timeIntervalSince1970
        guard let snapshot = try await cache.snapshot(query.model, now: now, load: { try await catalog.snapshot(model: $0) }) else {
            throw SyncError.notFound("model '\(query.model)' is not published")
        }
        let choice = try Resolver.choose(snapshot, query: query)
        let key = [query.model, query.channel, query.platform, query.runtime, choice.release?.version ?? "-",
                   choice.delta?.fromVersion ?? "-", String(snapshot.sequence)].joined(separator: "\u{0}")
        let seconds = Int64(now)
        if let body = cache.answer(key, now: seconds) { return body }
        let release = choice.release.map { record in
            ReleaseInfo(version: record.version, manifest: record.manifest, manifestSignature: record.signature,
                        bundle: BlobRef(sha256: record.blobSHA256, size: record.blobSize), delta: choice.delta?.ref)
        }
        let decision = ResolveDecision(model: query.model, channel: query.channel, sequence: snapshot.sequence, issuedAt: seconds,
                                       expiresAt: seconds + configuration.metadataLifetime, platform: query.platform,
                                       runtime: query.runtime, release: release)
        let body = try WireJSON.encode(try SignedMetadata.sign(decision, with: metadataKey))
        cache.store(key, body: body, signedAt: seconds)
        return body
    }

    /// The model's releases and channels.
    public func model(_ name: String) async throws -> ModelInfo {
        guard let snapshot = try await catalog.snapshot(model: name) else { throw SyncError.notFound("model '\(name)' is not published") }
        return snapshot.info
    }

    /// All models with their releases and channels.
    public func models() async throws -> [ModelInfo] {
        var out: [ModelInfo] = []
        for name in try await catalog.modelSequences().keys.sorted() {
            if let snapshot = try await catalog.snapshot(model: name) { out.append(snapshot.info) }
        }
        return out
    }
}
