import FerryBundle
import FerrySyncProtocol
import Foundation
import NIOConcurrencyHelpers

/// In-memory model snapshots and signed answers, so resolve costs a lookup, not a query and a signature.
///
/// A snapshot is dropped when this instance writes the model, and checked against the catalogue's
/// sequence at most every `refreshInterval` seconds, which bounds staleness when several instances
/// share one database. Signed answers are keyed by everything that shapes them and re-signed
/// when older than `resignAfter` seconds.
final class ResolveCache: Sendable {
    struct Entry: Sendable {
        var snapshot: ModelSnapshot
        var loadedAt: Double
    }

    struct Answer: Sendable {
        var body: Data
        var signedAt: Int64
    }

    private let snapshots = NIOLockedValueBox<[String: Entry]>([:])
    private let answers = NIOLockedValueBox<[String: Answer]>([:])
    let refreshInterval: Double
    let resignAfter: Int64

    init(refreshInterval: Double, resignAfter: Int64) {
        self.refreshInterval = refreshInterval
        self.resignAfter = resignAfter
    }

    func snapshot(_ model: String, now: Double, load: (String) async throws -> ModelSnapshot?) async throws -> ModelSnapshot? {
        if let entry = snapshots.withLockedValue({ $0[model] }), now - entry.loadedAt < refreshInterval {
            return entry.snapshot
        }
        guard let fresh = try await load(model) else { return nil }
        snapshots.withLockedValue { $0[model] = Entry(snapshot: fresh, loadedAt: now) }
        return fresh
    }

    func invalidate(_ model: String) {
        snapshots.withLockedValue { _ = $0.removeValue(forKey: model) }
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
