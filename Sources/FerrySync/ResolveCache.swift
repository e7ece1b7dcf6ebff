import FerryBundle
import FerrySyncProtocol
import Foundation
import NIOConcurrencyHelpers

/// In-memory model snapshots and signed answers, so resolve costs a lookup, not a query and a signature.
///
/// A snapshot is dropped when a write to its model is seen: at once for this instance's own writes
/// and, with a shared PostgreSQL catalogue, for other instances' writes announced by `NOTIFY`
/// (see ``CatalogChange``). It is also checked against the catalogue's sequence at most every
/// `refreshInterval` seconds, the safety net that bounds staleness if a notification is lost.
/// Signed answers are keyed by everything that shapes them, the snapshot's sequence included, so a
/// reloaded snapshot never reaches an answer signed for an older one; they are re-signed when older
/// than `resignAfter` seconds.
final class ResolveCache: Sendable {
    struct Entry: Sendable {
        var snapshot: ModelSnapshot
        var loadedAt: Double
    }

    struct Snapshots: Sendable {
        var entries: [String: Entry] = [:]
        /// Counts invalidations, so a load that overlapped one does not cache what it read.
        var generation: UInt64 = 0
    }

    struct Answer: Sendable {
        var body: Data
        var signedAt: Int64
    }

    private let snapshots = NIOLockedValueBox(Snapshots())
    private let answers = NIOLockedValueBox<[String: Answer]>([:])
    let refreshInterval: Double
    let resignAfter: Int64

    init(refreshInterval: Double, resignAfter: Int64) {
        self.refreshInterval = refreshInterval
        self.resignAfter = resignAfter
    }

    func snapshot(_ model: String, now: Double, load: (String) async throws -> ModelSnapshot?) async throws -> ModelSnapshot? {
        let (cached, generation) = snapshots.withLockedValue { ($0.entries[model], $0.generation) }
        if let cached, now - cached.loadedAt < refreshInterval {
            return cached.snapshot
        }
        guard let fresh = try await load(model) else { return nil }
        snapshots.withLockedValue {
            // An invalidation during the load may announce a write the load did not see: answer
            // this request with what was read, but do not keep it. Nor replace a newer snapshot
            // that a concurrent load stored first.
            guard $0.generation == generation, ($0.entries[model]?.snapshot.sequence ?? .min) <= fresh.sequence else { return }
            $0.entries[model] = Entry(snapshot: fresh, loadedAt: now)
        }
        return fresh
    }

    /// Forgets one model's snapshot; the next resolve reads the catalogue.
    func invalidate(_ model: String) {
        snapshots.withLockedValue {
            $0.entries.removeValue(forKey: model)
            $0.generation &+= 1
        }
    }

    /// Forgets every snapshot (after changes may have been missed).
    func invalidateAll() {
        snapshots.withLockedValue {
            $0.entries.removeAll()
            $0.generation &+= 1
        }
    }

    func answer(_ key: String, now: Int64) -> Data? {
        guard let answer = answers.withLockedValue({ $0[key] }), now - answer.signedAt < resignAfter else { return nil }
        return answer.body
    }

    func store(_ key: String, body: Data, signedAt: Int64) {
        answers.withLockedValue {
            if $0.count > 50_000 { $0.removeAll(keepingCapacity: true) }
            $0[key] = Answer(body: body, signedAt: signedAt)
        }
    }
}
