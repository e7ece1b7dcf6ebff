import FerryBundle
import FerryBundleWriter
import FerrySyncProtocol
import Foundation
import NIOCore

extension SyncService {
    /// Publishes a bundle streamed in `body`: stores it under its digest, verifies signature and every
    /// hash, makes patches from recent versions, then records release, channel and audit entry in one
    /// transaction. Nothing is visible to resolve until that transaction commits.
    public func publish<Body: AsyncSequence & Sendable>(model: String, body: Body, channel: String, rollout: Double,
                                                        actor: TokenRecord) async throws -> PublishResult
    where Body.Element == ByteBuffer {
        try ChannelInfo.checkRollout(rollout)
        let temp = blobs.temporaryFile()
        defer { try? FileManager.default.removeItem(at: temp) }
        var sink = try UploadSink(url: temp, limit: configuration.maxBundleSize)
        do {
            for try await buffer in body { try sink.append(buffer) }
        } catch let error as SyncError {
            throw error
        } catch {
            throw SyncError.badRequest("upload interrupted: \(error)")
        }
        let digest = try sink.finish()
        guard sink.size > 0 else { throw SyncError.badRequest("empty body; send the bundle file as the request body") }
        let limits = BundleLimits(maxUncompressedSize: BundleLimits.default.maxUncompressedSize, maxBundleSize: configuration.maxBundleSize)
        let bundle: VerifiedBundle
        let payload: Data
        do {
            bundle = try VerifiedBundle(contentsOf: temp.path, trustedKeys: configuration.trustedKeys, limits: limits)
            payload = try bundle.payload()
            _ = try Payload.split(payload, manifest: bundle.manifest, file: "bundle")
        } catch let error as BundleError {
            throw SyncError.from(relabel(error, temp: temp.path))
        }
        let manifest = bundle.manifest
        guard manifest.name == model else {
            throw SyncError.badRequest("bundle is for model '\(manifest.name)' but was published to '\(model)'")
        }
        try blobs.commit(temporaryFile: temp, sha256: digest)
        let deltas = try await makeDeltas(to: manifest, payload: payload, bundleSize: sink.size)
        let release = ReleaseRecord(
            model: model, version: manifest.version, platform: manifest.platform, runtime: manifest.runtime,
            blobSHA256: digest, blobSize: sink.size, payloadSize: manifest.payload.size, payloadSHA256: manifest.payload.sha256,
            minRuntimeVersion: manifest.minRuntimeVersion, manifest: bundle.manifestBytes, signature: bundle.signature,
            publishedAt: Self.now())
        let (channelInfo, sequence) = try await catalog.publish(release, deltas: deltas, channel: channel, rollout: rollout,
                                                                actor: actor.id, now: Self.now())
        cache.invalidate(model)
        metrics.published()
        logger.info("published", metadata: [
            "model": "\(model)", "version": "\(manifest.version)", "platform": "\(manifest.platform)",
            "runtime": "\(manifest.runtime)", "blob": "\(digest)", "bytes": "\(sink.size)", "token_id": "\(actor.id)",
            "channel": "\(channel)", "deltas": "\(deltas.count)",
        ])
        return PublishResult(model: model, version: manifest.version, platform: manifest.platform, runtime: manifest.runtime,
                             bundle: BlobRef(sha256: digest, size: sink.size), channel: channelInfo, sequence: sequence,
                             deltas: deltas.map(\.ref))
    }

    /// Patches from up to `deltaHistory` earlier versions of the same platform and runtime, kept
    /// only when smaller than the full bundle.
    func makeDeltas(to manifest: Manifest, payload: Data, bundleSize: Int) async throws -> [DeltaRecord] {
        guard configuration.deltaHistory > 0, let snapshot = try await catalog.snapshot(model: manifest.name) else { return [] }
        let bases = snapshot.releases
            .filter { $0.platform == manifest.platform && $0.runtime == manifest.runtime && $0.version != manifest.version }
            .sorted { $0.publishedAt > $1.publishedAt }
            .prefix(configuration.deltaHistory)
        var out: [DeltaRecord] = []
        for base in bases {
            guard let data = try? blobs.read(base.blobSHA256),
                  let old = try? VerifiedBundle(data: data, source: base.blobSHA256, trustedKeys: configuration.trustedKeys),
                  let oldPayload = try? old.payload()
            else {
                logger.warning("skipping delta: base bundle unreadable", metadata: ["model": "\(manifest.name)", "from": "\(base.version)"])
                continue
            }
            let patch = try Delta.make(from: oldPayload, to: payload)
            guard patch.count < bundleSize else { continue }
            let sha = try blobs.put(patch)
            out.append(DeltaRecord(model: manifest.name, platform: manifest.platform, runtime: manifest.runtime,
                                   fromVersion: base.version, toVersion: manifest.version, fromPayloadSHA256: base.payloadSHA256,
                                   blobSHA256: sha, blobSize: patch.count))
        }
        return out
    }

    /// Bundle errors name the upload's temporary path; name "bundle" instead.
    private func relabel(_ error: BundleError, temp: String) -> BundleError {
        switch error {
        case .malformed(_, let reason): return .malformed(file: "bundle", reason: reason)
        case .badSignature(_, let keyID): return .badSignature(file: "bundle", keyID: keyID)
        case .hashMismatch(_, let entry): return .hashMismatch(file: "bundle", entry: entry)
        case .tooLarge(_, let what, let limit): return .tooLarge(file: "bundle", what: what, limit: limit)
        case .compression(_, let reason): return .compression(file: "bundle", reason: reason)
        default: return error
        }
    }

    /// Starts, changes or completes a rollout.
    public func updateChannel(model: String, channel: String, update: ChannelUpdate, actor: TokenRecord) async throws -> ChannelInfo {
        let (info, _) = try await catalog.updateChannel(model: model, channel: channel, update: update, actor: actor.id, now: Self.now())
        cache.invalidate(model)
        logger.info("rollout changed", metadata: ["model": "\(model)", "channel": "\(channel)", "rollout": "\(info.rollout)",
                                                  "version": "\(info.version ?? "-")", "candidate": "\(info.candidate ?? "-")",
                                                  "token_id": "\(actor.id)"])
        return info
    }

    /// Pins a channel to `version` at once.
    public func rollback(model: String, channel: String, version: String, actor: TokenRecord) async throws -> ChannelInfo {
        let (info, _) = try await catalog.rollback(model: model, channel: channel, version: version, actor: actor.id, now: Self.now())
        cache.invalidate(model)
        logger.notice("rolled back", metadata: ["model": "\(model)", "channel": "\(channel)", "version": "\(version)", "token_id": "\(actor.id)"])
        return info
    }
}
