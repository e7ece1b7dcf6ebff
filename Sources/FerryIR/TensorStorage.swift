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

    /// Zero-filled storage, or with `zeroed: false` storage whose every byte the caller will
    /// write (kernels that produce every element skip the zeroing pass).
    public init(byteCount: Int, zeroed: Bool = true) {
        self.byteCount = byteCount
        (bytes, blockSize) = BufferPool.shared.take(byteCount, zeroed: zeroed)
        strings = []
    }

    public init(strings: [String]) {
        self.byteCount = 0
        (bytes, blockSize) = BufferPool.shared.take(64)
        self.strings = strings
    }

    deinit { BufferPool.shared.give(bytes, size: blockSize) }
}
