import FerryBundle
import FerrySyncProtocol
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The app-side client: asks the service what to run, downloads (a patch when it can, resuming
/// interrupted downloads), verifies signatures and hashes, installs atomically, keeps the previous
/// version to fall back to, and works offline from its cache.
///
/// Cache layout: `state.json`, `versions/VERSION/` (files + `.ferry/manifest.json`), `downloads/`.
public final class FerryClient: Sendable {
    public let configuration: ClientConfiguration
    let session: URLSession

    public init(_ configuration: ClientConfiguration, session: URLSession = .shared) {
        self.configuration = configuration
        self.session = session
    }

    var stateURL: URL { configuration.cacheDirectory.appendingPathComponent("state.json") }
    var versionsURL: URL { configuration.cacheDirectory.appendingPathComponent("versions") }
    var downloadsURL: URL { configuration.cacheDirectory.appendingPathComponent("downloads") }

    /// The installed version to run, verified (signature and every file hash); falls back to the
    /// previous version when the current one is missing or damaged. Works offline.
    public func installed() throws -> InstalledModel? {
        let state = try ClientState.load(stateURL)
        for version in [state.current, state.previous].compactMap({ $0 }) {
            if let model = try? verifiedInstall(version) { return model }
        }
        return nil
    }

    /// Asks the service and installs what it says, if it is not installed yet.
    public func update() async throws -> UpdateOutcome {
        try prepareCache()
        var state = try ClientState.load(stateURL)
        let current = try? installed()
        let decision: ResolveDecision
        do {
            decision = try await resolve(state: &state, have: current?.version)
        } catch ClientError.unreachable(_, let reason) {
            if let current { return .offline(current, reason: reason) }
            throw ClientError.unreachable(url: configuration.server.absoluteString, reason: reason)
        }
        guard let release = decision.release else {
            try state.save(stateURL)
            if let current { return .noRelease(current) }
            throw ClientError.noRelease(model: configuration.model)
        }
        let manifest = try verifyManifest(release)
        if let current, current.version == release.version, current.manifest == manifest {
            try state.save(stateURL)
            return .upToDate(current)
        }
        let (files, viaDelta, bytes) = try await fetchFiles(release, manifest: manifest, current: current)
        let target = versionsURL.appendingPathComponent(release.version)
        try? FileManager.default.removeItem(at: target)
        do { try Unbundler.install(files: files, manifestBytes: release.manifest, signature: release.manifestSignature, to: target.path) } catch let error as BundleError {
            throw ClientError.verification(error)
        }
        if state.current != release.version { state.previous = state.current ?? state.previous }
        state.current = release.version
        try state.save(stateURL)
        prune(keep: [state.current, state.previous])
        let model = try verifiedInstall(release.version)
        return .installed(model, viaDelta: viaDelta, bytesDownloaded: bytes)
    }

    /// Makes the previous version current again (for an app that finds the new model misbehaving).
    public func fallBackToPrevious() throws -> InstalledModel {
        var state = try ClientState.load(stateURL)
        guard let previous = state.previous else { throw ClientError.cache(path: stateURL.path, reason: "no previous version to fall back to") }
        let model = try verifiedInstall(previous)
        state.previous = state.current
        state.current = previous
        try state.save(stateURL)
        return model
    }

    // MARK: steps

    func prepareCache() throws {
        for url in [versionsURL, downloadsURL] {
            do { try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true) } catch {
                throw ClientError.cache(path: url.path, reason: "cannot create folder")
            }
        }
    }

    func verifyManifest(_ release: ReleaseInfo) throws -> Manifest {
        let manifest: Manifest
        do {
            manifest = try VerifiedBundle.verifyManifest(release.manifest, signature: release.manifestSignature,
                                                         trustedKeys: configuration.trustedKeys, source: "manifest of \(release.version)",
                                                         limits: configuration.limits)
        } catch let error as BundleError {
            throw ClientError.verification(error)
        }
        guard manifest.name == configuration.model, manifest.version == release.version,
              manifest.platform == configuration.platform, manifest.runtime == configuration.runtime else {
            throw ClientError.untrustedMetadata(reason: "signed manifest is \(manifest.name) \(manifest.version) for \(manifest.platform)/\(manifest.runtime), not what was asked")
        }
        return manifest
    }

    func fetchFiles(_ release: ReleaseInfo, manifest: Manifest, current: InstalledModel?) async throws -> ([BundleInput], Bool, Int) {
        if let delta = release.delta, let current, delta.fromVersion == current.version,
           delta.fromPayloadSHA256 == current.manifest.payload.sha256,
           let oldPayload = try? payload(of: current) {
            do {
                let (patch, bytes) = try await download(delta.blob)
                let files = try Delta.apply(patch, to: oldPayload, manifest: manifest, file: "delta \(delta.fromVersion)→\(release.version)")
                return (files, true, bytes)
            } catch is BundleError {
                // A patch that does not rebuild the signed payload is dropped; the full bundle follows.
            }
        }
        let (data, bytes) = try await download(release.bundle)
        do {
            let bundle = try VerifiedBundle(data: data, source: "bundle \(release.version)", trustedKeys: configuration.trustedKeys,
                                            limits: configuration.limits)
            guard bundle.manifestBytes == release.manifest else {
                throw ClientError.untrustedMetadata(reason: "downloaded bundle's manifest differs from the resolved one")
            }
            return (try bundle.files(), false, bytes)
        } catch let error as BundleError {
            throw ClientError.verification(error)
        }
    }

    func download(_ blob: BlobRef) async throws -> (Data, Int) {
        guard Digest.isSHA256Hex(blob.sha256), let url = URL(string: blob.url, relativeTo: configuration.server) else {
            throw ClientError.untrustedMetadata(reason: "blob reference is malformed")
        }
        let partial = downloadsURL.appendingPathComponent(blob.sha256 + ".part")
        let result = try await BlobDownloader.fetch(url.absoluteURL, sha256: blob.sha256, size: blob.size, partial: partial,
                                                    limits: configuration.limits)
        try? FileManager.default.removeItem(at: partial)
        return result
    }

    /// The uncompressed payload of an installed version, rebuilt from its files in manifest order.
    func payload(of model: InstalledModel) throws -> Data {
        var parts: [Data] = []
        for entry in model.manifest.files {
            guard let data = FileManager.default.contents(atPath: model.directory.appendingPathComponent(entry.path).path) else {
                throw ClientError.cache(path: entry.path, reason: "installed file missing")
            }
            parts.append(data)
        }
        let payload = Payload.concatenate(parts)
        guard Digest.sha256Hex(payload) == model.manifest.payload.sha256 else {
            throw ClientError.cache(path: model.directory.path, reason: "installed files were modified")
        }
        return payload
    }

    func verifiedInstall(_ version: String) throws -> InstalledModel {
        let directory = versionsURL.appendingPathComponent(version)
        let meta = directory.appendingPathComponent(BundlePath.reserved)
        guard let bytes = FileManager.default.contents(atPath: meta.appendingPathComponent("manifest.json").path),
              let signature = FileManager.default.contents(atPath: meta.appendingPathComponent("manifest.sig").path) else {
            throw ClientError.cache(path: directory.path, reason: "version \(version) is not installed")
        }
        do {
            let manifest = try VerifiedBundle.verifyManifest(bytes, signature: signature, trustedKeys: configuration.trustedKeys,
                                                             source: directory.path, limits: configuration.limits)
            let model = InstalledModel(version: version, directory: directory, manifest: manifest)
            _ = try payload(of: model)
            return model
        } catch let error as BundleError {
            throw ClientError.verification(error)
        }
    }

    func prune(keep: [String?]) {
        let keep = Set(keep.compactMap { $0 })
        for name in (try? FileManager.default.contentsOfDirectory(atPath: versionsURL.path)) ?? [] where !keep.contains(name) {
            try? FileManager.default.removeItem(at: versionsURL.appendingPathComponent(name))
        }
    }
}
