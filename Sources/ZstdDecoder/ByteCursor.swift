/// Checked little-endian reads over the input, for headers and table descriptions.
struct ByteCursor {
    let base: UnsafePointer<UInt8>
    let end: Int
    var position: Int

    init(_ base: UnsafePointer<UInt8>, count: Int, position: Int = 0) {
        self.base = base
        self.end = count
        self.position = position
    }

    var remaining: Int { end - position }

    /// Throws ``ZstdError/Kind/truncated`` unless `count` more bytes are there.
    @inline(__always) func need(_ count: Int, _ what: String) throws {
        guard count >= 0, remaining >= count else { throw ZstdError.truncated(what, at: position) }
    }

    mutating func byte(_ what: String) throws -> UInt8 {
        try need(1, what)
        defer { position += 1 }
        return base[position]
    }

    /// Reads a little-endian unsigned value of `count` bytes (0...8).
    mutating func little(_ count: Int, _ what: String) throws -> UInt64 {
        try need(count, what)
        var value: UInt64 = 0
        for i in 0..<count { value |= UInt64(base[position + i]) << (8 * UInt64(i)) }
        position += count
        return value
    }
}
