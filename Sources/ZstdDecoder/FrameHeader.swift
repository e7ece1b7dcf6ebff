/// A zstd frame header (RFC 8878 §3.1.1.1), parsed and checked.
struct FrameHeader {
    static let magic: UInt32 = 0xFD2F_B528
    static let maxBlockSize = 128 << 10

    /// Bytes of content the frame declares.
    var contentSize: UInt64
    var hasChecksum: Bool
    /// The largest block content: the window size or 128 KiB, whichever is smaller.
    var blockMaximumSize: Int

    /// Parses the header at `cursor` (just past the magic number), moving past it.
    init(reading cursor: inout ByteCursor) throws {
        let at = cursor.position
        let descriptor = try cursor.byte("frame header")
        let sizeFlag = Int(descriptor >> 6)
        let singleSegment = descriptor & 0x20 != 0
        guard descriptor & 0x08 == 0 else { throw ZstdError.corrupt("frame header's reserved bit is set", at: at) }
        hasChecksum = descriptor & 0x04 != 0
        let dictionaryIDSize = [0, 1, 2, 4][Int(descriptor & 3)]
        var windowSize: UInt64 = 0
        if !singleSegment {
            let window = try cursor.byte("window descriptor")
            let exponent = UInt64(window >> 3), mantissa = UInt64(window & 7)
            let base: UInt64 = 1 << (10 + exponent)
            windowSize = base + (base / 8) * mantissa
        }
        let dictionaryID = try cursor.little(dictionaryIDSize, "dictionary id")
        guard dictionaryID == 0 else {
            throw ZstdError(.unsupported, "frame needs dictionary \(dictionaryID); dictionaries are not supported", at: at)
        }
        let sizeBytes = [singleSegment ? 1 : 0, 2, 4, 8][sizeFlag]
        guard sizeBytes > 0 else { throw ZstdError(.unsupported, "frame header does not declare its content size", at: at) }
        var size = try cursor.little(sizeBytes, "frame content size")
        if sizeBytes == 2 { size += 256 }
        contentSize = size
        if singleSegment { windowSize = size }
        blockMaximumSize = Int(min(windowSize, UInt64(Self.maxBlockSize)))
    }
}
