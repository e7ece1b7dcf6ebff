/// Decoding state for one frame: where output goes, the reference prefix, and what blocks
/// hand on to later blocks (repeat offsets, the last Huffman and sequence tables).
struct FrameDecoder {
    /// Slack after the literals so short copies can move 16 bytes at a time.
    static let literalSlack = 32

    let output: UnsafeMutablePointer<UInt8>
    let outputCount: Int
    let prefix: UnsafePointer<UInt8>?
    let prefixCount: Int
    /// Decoded literals of the current block.
    let literals: UnsafeMutablePointer<UInt8>
    private let ownsOutput: Bool
    var written = 0
    var repeatOffsets = (1, 4, 8)
    var huffman: HuffmanTable?
    var literalLengthTable: SequenceTable?
    var offsetTable: SequenceTable?
    var matchLengthTable: SequenceTable?

    init(output: UnsafeMutablePointer<UInt8>?, outputCount: Int, prefix: UnsafePointer<UInt8>?, prefixCount: Int) {
        if let output {
            self.output = output
            ownsOutput = false
        } else {
            // Empty output: a valid pointer that nothing may be written to.
            self.output = .allocate(capacity: 1)
            ownsOutput = true
        }
        self.outputCount = outputCount
        self.prefix = prefix
        self.prefixCount = prefix == nil ? 0 : prefixCount
        literals = .allocate(capacity: FrameHeader.maxBlockSize + Self.literalSlack)
    }

    func release() {
        literals.deallocate()
        if ownsOutput { output.deallocate() }
    }

    /// Decodes blocks until the last one; the output must then be exactly full.
    mutating func decodeBlocks(_ cursor: inout ByteCursor, header: FrameHeader) throws {
        let blockMax = header.blockMaximumSize
        while true {
            let at = cursor.position
            let blockHeader = Int(try cursor.little(3, "block header"))
            let last = blockHeader & 1 != 0
            let size = blockHeader >> 3
            let room = outputCount - written
            switch (blockHeader >> 1) & 3 {
            case 0:
                guard size <= blockMax else { throw ZstdError.corrupt("raw block of \(size) bytes exceeds the block maximum \(blockMax)", at: at) }
                guard size <= room else { throw overrun(at: at) }
                try cursor.need(size, "raw block")
                (output + written).update(from: cursor.base + cursor.position, count: size)
                cursor.position += size
                written += size
            case 1:
                guard size <= blockMax else { throw ZstdError.corrupt("RLE block of \(size) bytes exceeds the block maximum \(blockMax)", at: at) }
                guard size <= room else { throw overrun(at: at) }
                let byte = try cursor.byte("RLE block")
                (output + written).update(repeating: byte, count: size)
                written += size
            case 2:
                guard size <= blockMax else { throw ZstdError.corrupt("compressed block of \(size) bytes exceeds the block maximum \(blockMax)", at: at) }
                try cursor.need(size, "compressed block")
                var block = ByteCursor(cursor.base, count: cursor.position + size, position: cursor.position)
                try decodeCompressedBlock(&block, limit: min(room, blockMax))
                cursor.position += size
            default:
                throw ZstdError.corrupt("reserved block type", at: at)
            }
            if last { break }
        }
        guard written == outputCount else {
            throw ZstdError(.sizeMismatch, "frame decodes to \(written) bytes but declares \(outputCount)", at: cursor.position)
        }
    }

    func overrun(at offset: Int) -> ZstdError {
        ZstdError(.sizeMismatch, "blocks decode to more than the \(outputCount) bytes the frame declares", at: offset)
    }

    /// A compressed block: literals, then sequences that interleave them with matches.
    mutating func decodeCompressedBlock(_ block: inout ByteCursor, limit: Int) throws {
        let literalCount = try decodeLiterals(&block, limit: limit)
        try decodeSequences(&block, literalCount: literalCount, limit: limit)
    }
}
