import FerryBundle
import FerrySyncProtocol

/// Chooses the release a device should run from a model snapshot.
enum Resolver {
    struct Choice: Equatable {
        var release: ReleaseRecord?
        var delta: DeltaRecord?
    }

    static func choose(_ snapshot: ModelSnapshot, query: ResolveQuery) throws -> Choice {
        guard let channel = snapshot.channels.first(where: { $0.name == query.channel }) else {
            throw SyncError.notFound("model '\(query.model)' has no channel '\(query.channel)'")
        }
        func eligible(_ version: String?) -> ReleaseRecord? {
            guard let version else { return nil }
            return snapshot.releases.first { release in
                release.version == version && release.platform == query.platform && release.runtime == query.runtime
                    && runtimeFits(release.minRuntimeVersion, query.runtimeVersion)
            }
        }
        var release = eligible(channel.version)
        if let candidate = channel.candidate, Rollout.getsCandidate(channel, candidate: candidate, model: snapshot.name, query: query),
           let chosen = eligible(candidate) {
            release = chosen
        }
        var delta: DeltaRecord?
        if let release, let have = query.have, have != release.version {
            delta = snapshot.deltas.first {
                $0.fromVersion == have && $0.toVersion == release.version && $0.platform == release.platform && $0.runtime == release.runtime
            }
            if let found = delta, found.blobSize >= release.blobSize { delta = nil }
        }
        return Choice(release: release, delta: delta)
    }

    static func runtimeFits(_ minimum: String?, _ actual: String?) -> Bool {
        guard let minimum, let actual else { return true }
        return DottedVersion.compare(actual, minimum) >= 0
    }
}
