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

    public init(byteCount: Int) {
        self.byteCount = byteCount
        // posix_memalign never returns memory for size 0 portably; keep one line of cache.
        let size = max(byteCount, 64)
        var raw: UnsafeMutableRawPointer?
        if posix_memalign(&raw, 64, size) != 0 || raw == nil {
            // Out of memory is not bad input: there is nothing sensible to return.
            preconditionFailure("out of memory allocating \(size) bytes for a tensor")
        }
        bytes = raw!
        memset(bytes, 0, size)
        strings = []
    }

    public init(strings: [String]) {
        self.byteCount = 0
        var raw: UnsafeMutableRawPointer?
        _ = posix_memalign(&raw, 64, 64)
        bytes = raw!
        self.strings = strings
    }

    deinit { free(bytes) }
}
