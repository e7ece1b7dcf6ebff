import FerrySyncProtocol

/// The service's metadata: releases, channels, tokens, the audit log and per-model sequences.
///
/// Every mutating call is one transaction that also bumps the model's sequence and writes an
/// audit entry, so a crash leaves either all of it or none of it.
public protocol Catalog: Sendable {
    /// Creates tables if needed.
    func migrate() async throws
    /// Stores a token's hash and scope.
    func createToken(id: String, hash: String, model: String, now: Int64) async throws
    /// Looks a token up by the SHA-256 of its secret.
    func token(hash: String) async throws -> TokenRecord?
    /// Inserts a release and its deltas and points the channel at it; throws 409 if it exists.
    func publish(_ release: ReleaseRecord, deltas: [DeltaRecord], channel: String, rollout: Double,
                 actor: String, now: Int64) async throws -> (ChannelInfo, Int64)
    /// Starts, changes or completes a staged rollout.
    func updateChannel(model: String, channel: String, update: ChannelUpdate, actor: String, now: Int64) async throws -> (ChannelInfo, Int64)
    /// Pins a channel to an earlier (or any published) version at once, cancelling any rollout.
    func rollback(model: String, channel: String, version: String, actor: String, now: Int64) async throws -> (ChannelInfo, Int64)
    /// Everything about one model, or nil if it has never been published.
    func snapshot(model: String) async throws -> ModelSnapshot?
    /// Names and sequences of all models.
    func modelSequences() async throws -> [String: Int64]
    /// The newest audit entries for a model.
    func audit(model: String, limit: Int) async throws -> [AuditEntry]
    /// Checks the database answers.
    func ping() async throws
    /// Calls `handler` from now until the catalogue is closed whenever a write, made through any
    /// instance sharing it, may have changed what resolve answers. Returns at once.
    func observeChanges(_ handler: @escaping @Sendable (CatalogChange) -> Void)
    /// Releases the database connections; the catalogue answers nothing afterwards.
    func close() async throws
}
