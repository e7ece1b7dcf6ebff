import FerryBundle
import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// Blobs held in memory for downloads. Blobs are immutable and named by their SHA-256, so a cached
/// copy can never be stale; the cache is bounded in bytes and drops the least recently used.
final class BlobCache: Sendable {
    private struct State {
        var entries: [String: (buffer: ByteBuffer, lastUse: UInt64)] = [:]
        var bytes = 0
        var clock: UInt64 = 0
    }

    private let state = NIOLockedValueBox(State())
    let capacity: Int
    let maxBlob: Int

    init(capacity: Int, maxBlob: Int) {
        self.capacity = capacity
        self.maxBlob = maxBlob
    }

    /// The blob's bytes when they are in memory (no file system call at all).
    func cached(_ sha256: String) -> ByteBuffer? {
        state.withLockedValue { state -> ByteBuffer? in
            guard let entry = state.entries[sha256] else { return nil }
            state.clock += 1
            state.entries[sha256]?.lastUse = state.clock
            return entry.buffer
        }
    }

    /// The blob's bytes from memory, loading them off the event loop on a miss; nil when too large to cache.
    func buffer(_ sha256: String, path: String, size: Int) async throws -> ByteBuffer? {
        guard size <= maxBlob, size <= capacity else { return nil }
        if let hit = state.withLockedValue({ state -> ByteBuffer? in
            state.clock += 1
            guard let entry = state.entries[sha256] else { return nil }
            state.entries[sha256]?.lastUse = state.clock
            return entry.buffer
        }) {
            return hit
        }
        let data = try await NIOThreadPool.singleton.runIfActive { try Data(contentsOf: URL(fileURLWithPath: path)) }
        guard data.count == size else { return nil }
        let buffer = ByteBuffer(data: data)
        state.withLockedValue { state in
            guard state.entries[sha256] == nil else { return }
            while state.bytes + size > capacity, let oldest = state.entries.min(by: { $0.value.lastUse < $1.value.lastUse }) {
                state.bytes -= oldest.value.buffer.readableBytes
                state.entries.removeValue(forKey: oldest.key)
            }
            state.clock += 1
            state.entries[sha256] = (buffer, state.clock)
            state.bytes += size
        }
        return buffer
    }
}
