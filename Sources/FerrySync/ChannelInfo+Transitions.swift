import FerrySyncProtocol

/// How channels change: the same rules whichever database holds them.
extension ChannelInfo {
    /// A publish to this channel: the first version, or a full (100%) release, goes to everyone;
    /// otherwise the version becomes the candidate at `rollout` percent.
    static func afterPublish(_ current: ChannelInfo?, channel: String, version: String, rollout: Double) -> ChannelInfo {
        guard let current, current.version != nil, rollout < 100 else {
            return ChannelInfo(name: channel, version: version, candidate: nil, rollout: 100)
        }
        return ChannelInfo(name: channel, version: current.version, candidate: version, rollout: rollout,
                           deviceClasses: [], minAppVersion: nil)
    }

    /// A rollout change. `published` says whether a version has any release of this model.
    static func afterUpdate(_ current: ChannelInfo?, channel: String, update: ChannelUpdate,
                            published: (String) -> Bool) throws -> ChannelInfo {
        try checkRollout(update.rollout)
        var next = current ?? ChannelInfo(name: channel, version: nil, candidate: nil, rollout: 100)
        if let version = update.version {
            guard published(version) else { throw SyncError.notFound("version \(version) is not published for this model") }
            next.candidate = version == next.version ? nil : version
        }
        if let classes = update.deviceClasses { next.deviceClasses = classes }
        if update.minAppVersion != nil { next.minAppVersion = update.minAppVersion }
        guard let candidate = next.candidate else {
            if next.version == nil, let version = update.version { next.version = version }
            guard next.version != nil else { throw SyncError.badRequest("channel '\(channel)' has no version; give 'version'") }
            next.rollout = 100
            return next
        }
        if update.rollout >= 100 || next.version == nil {
            // Promotion: the candidate becomes everyone's version.
            return ChannelInfo(name: channel, version: candidate, candidate: nil, rollout: 100)
        }
        next.rollout = update.rollout
        return next
    }

    /// A rollback: everyone on `version` at once, any rollout cancelled.
    static func afterRollback(channel: String, version: String) -> ChannelInfo {
        ChannelInfo(name: channel, version: version, candidate: nil, rollout: 100)
    }

    static func checkRollout(_ rollout: Double) throws {
        guard rollout.isFinite, (0...100).contains(rollout) else {
            throw SyncError.badRequest("'rollout' must be a percentage from 0 to 100")
        }
    }
}
