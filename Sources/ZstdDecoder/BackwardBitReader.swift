/// Reads a zstd backward bitstream (FSE and Huffman streams): written forwards, read from the
/// last byte towards the first, starting below the final 1-bit of padding.
///
/// Bits sit in a 64-bit register refilled with unaligned 8-byte loads that never leave the
/// stream. Reading past the start yields garbage values but never touches memory: callers
/// check ``isOverflowed`` or ``isComplete`` and treat anything else as corruption.
struct BackwardBitReader {
    private let start: UnsafePointer<UInt8>
    private var ptr: UnsafePointer<UInt8>
    private var container: UInt64
    /// Bits consumed from the top of `container`; above 64 means the stream was over-read.
    private(set) var consumed: Int

    /// Positions the reader on `count` bytes at `bytes`; `offset` is for error messages.
    init(_ bytes: UnsafePointer<UInt8>, count: Int, offset: Int) throws {
        guard count > 0 else { throw ZstdError.corrupt("empty bitstream", at: offset) }
        guard bytes[count - 1] != 0 else { throw ZstdError.corrupt("bitstream's last byte is zero (no end mark)", at: offset + count - 1) }
        start = bytes
        if count >= 8 {
            ptr = bytes + (count - 8)
            container = UInt64(littleEndian: UnsafeRawPointer(ptr).loadUnaligned(as: UInt64.self))
        } else {
            ptr = bytes
            var value: UInt64 = 0
            for i in 0..<count { value |= UInt64(bytes[i]) << (8 * UInt64(i)) }
            container = value
        }
        // Skips the missing high bytes of a short stream, the padding zeros and the end mark.
        consumed = container.leadingZeroBitCount + 1
    }

    /// Resumes a stream that a fast loop has read down to `ptr`, `consumed` bits into the
    /// 8 bytes there (`ptr` at least `start`, and 8 bytes from `ptr` inside the stream).
    init(start: UnsafePointer<UInt8>, ptr: UnsafePointer<UInt8>, consumed: Int) {
        self.start = start
        self.ptr = ptr
        self.container = UInt64(littleEndian: UnsafeRawPointer(ptr).loadUnaligned(as: UInt64.self))
        self.consumed = consumed
    }

    /// The next `n` bits (0...56 after a refill) without consuming them.
    @inline(__always) func peek(_ n: Int) -> UInt64 {
        ((container &<< UInt64(consumed & 63)) &>> 1) &>> UInt64((63 - n) & 63)
    }

    /// The next `n` bits for `n` ≥ 1 (one shift fewer than ``peek(_:)``).
    @inline(__always) func peekNonZero(_ n: Int) -> Int {
        Int(truncatingIfNeeded: (container &<< UInt64(consumed & 63)) &>> UInt64(64 - n))
    }

    @inline(__always) mutating func skip(_ n: Int) { consumed &+= n }

    /// Reads `n` bits (0...56 after a refill).
    @inline(__always) mutating func read(_ n: Int) -> Int {
        let value = Int(truncatingIfNeeded: peek(n))
        consumed &+= n
        return value
    }

    /// Refills the register; true while whole 8-byte loads remain ahead (the fast paths' condition).
    @inline(__always) @discardableResult
    mutating func refill() -> Bool {
        if consumed > 64 { return false }
        if ptr - start >= 8 {
            ptr -= consumed >> 3
            consumed &= 7
            container = UInt64(littleEndian: UnsafeRawPointer(ptr).loadUnaligned(as: UInt64.self))
            return true
        }
        if ptr == start { return false }
        // Fewer than 8 bytes below: move down only as far as the start.
        let step = min(consumed >> 3, ptr - start)
        ptr -= step
        consumed -= step * 8
        container = UInt64(littleEndian: UnsafeRawPointer(ptr).loadUnaligned(as: UInt64.self))
        return false
    }

    /// Every bit read, none beyond the start.
    var isComplete: Bool { ptr == start && consumed == 64 }

    /// More bits were read than the stream holds.
    var isOverflowed: Bool { consumed > 64 }
}
