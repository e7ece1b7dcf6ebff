#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The memory behind a tensor: 64-byte aligned, zero-filled bytes for numeric and bool
/// elements, or an array of Swift strings for string tensors.
///
/// Storage is shared between tensors that view the same data (a reshape shares it); code that
/// writes into storage must own it alone, which kernels do for the outputs they allocate.
public final class TensorStorage: @unchecked Sendable {
    public let bytes: UnsafeMutableRawPointer
    public let byteCount: Int
    public var strings: [String]
    private let blockSize: Int
    /// The storage a view shares memory with (kept alive by it); nil for storage of its own.
    private let parent: TensorStorage?

    /// Zero-filled storage, or with `zeroed: false` storage whose every byte the caller will
    /// write (kernels that produce every element skip the zeroing pass).
    public init(byteCount: Int, zeroed: Bool = true) {
        self.byteCount = byteCount
        (bytes, blockSize) = BufferPool.shared.take(byteCount, zeroed: zeroed)
        strings = []
        parent = nil
    }

    /// `byteCount` bytes of `parent` from `offset` (a multiple of 64, so the view is aligned as
    /// storage is), shared rather than copied: the samples of a batch read from one file.
    /// Writing through either writes both, so it is for data no one writes, as any storage a
    /// tensor shares.
    public init(viewing parent: TensorStorage, offset: Int, byteCount: Int) {
        precondition(offset % 64 == 0 && offset >= 0 && byteCount >= 0 && offset + byteCount <= parent.byteCount,
                     "a storage view must be a 64-byte aligned range of its parent")
        bytes = parent.bytes + offset
        self.byteCount = byteCount
        strings = []
        blockSize = 0
        self.parent = parent
    }

    public init(strings: [String]) {
        self.byteCount = 0
        (bytes, blockSize) = BufferPool.shared.take(64)
        self.strings = strings
        parent = nil
    }

    deinit {
        if parent == nil { BufferPool.shared.give(bytes, size: blockSize) }
    }
}
