#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// Recycles tensor memory between runs: a freed block goes to a free list by size and the next
/// tensor of that size takes it instead of a fresh mmap and page faults. Blocks are zeroed
/// when handed out unless the caller will overwrite every byte, so a reused buffer never
/// carries old values into a result. The cache is bounded.
final class BufferPool: Sendable {
    static let shared = BufferPool()

    /// Blocks smaller than this come from malloc's own caches; larger ones are pooled.
    static let minimumPooled = 64 << 10
    /// The most memory the pool keeps unused.
    static let capacity = 512 << 20

    /// A free block; only the pool's lock holder touches it.
    private struct Block: @unchecked Sendable { let pointer: UnsafeMutableRawPointer }

    private struct State {
        var free: [Int: [Block]] = [:]
        var cachedBytes = 0
    }
    private let state = Mutex(State())

    /// A zeroed, 64-byte aligned block of at least `size` bytes, and the size it really has.
    func take(_ size: Int, zeroed: Bool = true) -> (UnsafeMutableRawPointer, Int) {
        let rounded = size < BufferPool.minimumPooled ? max(size, 64) : (size + 4095) / 4096 * 4096
        if rounded >= BufferPool.minimumPooled {
            let reused: Block? = state.withLock { state in
                guard var list = state.free[rounded], let block = list.popLast() else { return nil }
                state.free[rounded] = list
                state.cachedBytes -= rounded
                return block
            }
            if let reused = reused?.pointer {
                if zeroed { memset(reused, 0, rounded) }
                return (reused, rounded)
            }
        }
        if rounded >= BufferPool.hugeThreshold {
            // Fresh anonymous memory is zero already. Always mapped (never malloc's) at this size,
            // since `give` unmaps what the pool does not keep.
            guard let mapped = BufferPool.mapHuge(rounded) else {
                preconditionFailure("out of memory mapping \(rounded) bytes for a tensor")
            }
            return (mapped, rounded)
        }
        var raw: UnsafeMutableRawPointer?
        if posix_memalign(&raw, 64, rounded) != 0 || raw == nil {
            // Out of memory is not bad input: there is nothing sensible to return.
            preconditionFailure("out of memory allocating \(rounded) bytes for a tensor")
        }
        if zeroed { memset(raw!, 0, rounded) }
        return (raw!, rounded)
    }

    /// Returns a block taken with `take`.
    func give(_ block: UnsafeMutableRawPointer, size: Int) {
        if size >= BufferPool.minimumPooled {
            let entry = Block(pointer: block)
            let kept = state.withLock { state -> Bool in
                guard state.cachedBytes + size <= BufferPool.capacity else { return false }
                state.free[size, default: []].append(entry)
                state.cachedBytes += size
                return true
            }
            if kept { return }
        }
        if size >= BufferPool.hugeThreshold {
            munmap(block, size)
            return
        }
        free(block)
    }

    /// Blocks this large are mapped on their own, 2 MiB aligned and marked for transparent
    /// huge pages: touching a fresh weight or activation buffer then takes one page fault per
    /// 2 MiB instead of one per 4 KiB (on a machine whose kernel offers them; else the same
    /// 4 KiB pages as malloc's).
    static let hugeThreshold = 2 << 20

    static func mapHuge(_ size: Int) -> UnsafeMutableRawPointer? {
        let align = 2 << 20
        guard let base = mmap(nil, size + align, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0),
              base != MAP_FAILED else { return nil }
        let address = Int(bitPattern: base)
        let aligned = (address + align - 1) / align * align
        if aligned > address { munmap(base, aligned - address) }
        // What the alignment left over past the block.
        let tail = address + align - aligned
        if tail > 0 { munmap(UnsafeMutableRawPointer(bitPattern: aligned + size), tail) }
        let block = UnsafeMutableRawPointer(bitPattern: aligned)!
        #if canImport(Glibc)
        _ = madvise(block, size, Int32(MADV_HUGEPAGE))
        #endif
        return block
    }
}
