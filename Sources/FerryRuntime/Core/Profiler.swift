import Foundation

/// Time spent per op type across runs, for `ferry bench --profile`.
public final class Profiler: @unchecked Sendable {
    private let lock = NSLock()
    private var totals: [String: (nanoseconds: UInt64, calls: Int)] = [:]

    public init() {}

    func record(_ opType: String, nanoseconds: UInt64) {
        lock.lock()
        defer { lock.unlock() }
        let entry = totals[opType] ?? (0, 0)
        totals[opType] = (entry.nanoseconds + nanoseconds, entry.calls + 1)
    }

    /// Op types with total milliseconds and call counts, slowest first.
    public var summary: [(opType: String, milliseconds: Double, calls: Int)] {
        lock.lock()
        defer { lock.unlock() }
        return totals.map { ($0.key, Double($0.value.nanoseconds) / 1e6, $0.value.calls) }
            .sorted { $0.milliseconds > $1.milliseconds }
    }
}
