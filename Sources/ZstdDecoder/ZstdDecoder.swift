import Foundation

/// A zstd decoder in Swift (RFC 8878), for one frame of known size.
///
/// It decodes what libzstd writes: raw, RLE and compressed blocks; raw, RLE, Huffman and
/// treeless literals; predefined, RLE, FSE and repeated sequence tables; the XXH64 content
/// checksum. Dictionaries are not supported, but a reference prefix is (libzstd's
/// `ZSTD_DCtx_refPrefix`, which patch-from frames need). Decoding is bounded: the frame must
/// declare exactly the size the caller expects, and no input makes it read or write out of
/// bounds; damage is reported as a ``ZstdError``.
public enum ZstdDecoder {
    /// The content size the frame at the start of `input` declares, after any skippable frames;
    /// nil when the header is damaged or lacks one.
    public static func declaredContentSize(_ input: UnsafeRawBufferPointer) -> UInt64? {
        try? parseHeader(input).contentSize
    }

    static func parseHeader(_ input: UnsafeRawBufferPointer) throws -> FrameHeader {
        guard let base = input.baseAddress?.assumingMemoryBound(to: UInt8.self) else {
            throw ZstdError.truncated("frame magic number", at: 0)
        }
        var cursor = ByteCursor(base, count: input.count)
        return try findFrame(&cursor)
    }

    /// Decodes the frame in `input` into `output`, whose size must be the frame's declared
    /// content size. `prefix` is history that matches may reach into (the patch-from base).
    ///
    /// Skippable frames before and after the zstd frame are ignored; anything else after it is
    /// an error. On error `output` holds undefined bytes.
    public static func decompress(_ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer,
                                  prefix: UnsafeRawBufferPointer = UnsafeRawBufferPointer(start: nil, count: 0)) throws {
        guard let base = input.baseAddress?.assumingMemoryBound(to: UInt8.self) else {
            throw ZstdError.truncated("frame magic number", at: 0)
        }
        var cursor = ByteCursor(base, count: input.count)
        let header = try findFrame(&cursor)
        guard header.contentSize == UInt64(output.count) else {
            throw ZstdError(.sizeMismatch, "frame declares \(header.contentSize) bytes, expected \(output.count)", at: 0)
        }
        var frame = FrameDecoder(output: output.baseAddress?.assumingMemoryBound(to: UInt8.self), outputCount: output.count,
                                 prefix: prefix.baseAddress?.assumingMemoryBound(to: UInt8.self), prefixCount: prefix.count)
        defer { frame.release() }
        try frame.decodeBlocks(&cursor, header: header)
        if header.hasChecksum {
            let at = cursor.position
            let stored = try cursor.little(4, "content checksum")
            let computed = XXH64.hash(UnsafeRawBufferPointer(output)) & 0xFFFF_FFFF
            guard stored == computed else {
                throw ZstdError(.checksumMismatch, "content checksum mismatch (decoded bytes are damaged)", at: at)
            }
        }
        try skipTrailingSkippableFrames(&cursor)
    }

    /// Decodes `frame`, which must declare exactly `expectedSize` bytes; the size is checked
    /// before any memory for the output is committed.
    public static func decompress(_ frame: Data, expectedSize: Int, prefix: Data? = nil) throws -> Data {
        guard expectedSize >= 0 else { throw ZstdError(.sizeMismatch, "negative expected size", at: 0) }
        let declared = try frame.withUnsafeBytes { try parseHeader($0).contentSize }
        guard declared == UInt64(expectedSize) else {
            throw ZstdError(.sizeMismatch, "frame declares \(declared) bytes, expected \(expectedSize)", at: 0)
        }
        var output = Data(count: expectedSize)
        try output.withUnsafeMutableBytes { out in
            try frame.withUnsafeBytes { input in
                if let prefix {
                    try prefix.withUnsafeBytes { try decompress(input, into: out, prefix: $0) }
                } else {
                    try decompress(input, into: out)
                }
            }
        }
        return output
    }

    /// Skips leading skippable frames and parses the zstd frame header.
    static func findFrame(_ cursor: inout ByteCursor) throws -> FrameHeader {
        while true {
            let at = cursor.position
            let magic = UInt32(try cursor.little(4, "frame magic number"))
            if magic == FrameHeader.magic { return try FrameHeader(reading: &cursor) }
            guard magic & 0xFFFF_FFF0 == 0x184D_2A50 else {
                throw ZstdError.corrupt("not a zstd frame (magic number \(String(magic, radix: 16)))", at: at)
            }
            try skipSkippable(&cursor)
        }
    }

    static func skipTrailingSkippableFrames(_ cursor: inout ByteCursor) throws {
        while cursor.remaining > 0 {
            let at = cursor.position
            guard cursor.remaining >= 4,
                  UInt32(try cursor.little(4, "frame magic number")) & 0xFFFF_FFF0 == 0x184D_2A50 else {
                throw ZstdError(.trailingBytes, "\(cursor.end - at) trailing bytes after the zstd frame", at: at)
            }
            try skipSkippable(&cursor)
        }
    }

    private static func skipSkippable(_ cursor: inout ByteCursor) throws {
        let size = Int(try cursor.little(4, "skippable frame size"))
        try cursor.need(size, "skippable frame")
        cursor.position += size
    }
}
