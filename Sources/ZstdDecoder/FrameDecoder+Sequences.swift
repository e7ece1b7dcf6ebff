extension FrameDecoder {
    /// Decodes the sequences section (RFC 8878 §3.1.1.3.2) and executes it with the block's
    /// literals, writing at most `limit` bytes of output.
    mutating func decodeSequences(_ block: inout ByteCursor, literalCount: Int, limit: Int) throws {
        let at = block.position
        let first = Int(try block.byte("sequences section header"))
        let count: Int
        if first < 128 {
            count = first
        } else if first < 255 {
            count = (first - 128) << 8 + Int(try block.byte("sequences section header"))
        } else {
            count = Int(try block.little(2, "sequences section header")) + 0x7F00
        }
        if count == 0 {
            guard block.remaining == 0 else { throw ZstdError.corrupt("bytes after an empty sequences section", at: block.position) }
            guard literalCount <= limit else { throw overrun(at: at) }
            (output + written).update(from: literals, count: literalCount)
            written += literalCount
            return
        }
        let modesAt = block.position
        let modes = Int(try block.byte("symbol compression modes"))
        guard modes & 3 == 0 else { throw ZstdError.corrupt("reserved bits set in symbol compression modes", at: modesAt) }
        literalLengthTable = try readTable(.literalLength, mode: modes >> 6, previous: literalLengthTable,
                                           predefined: SequenceTable.predefinedLiteralLengths, &block)
        offsetTable = try readTable(.offset, mode: (modes >> 4) & 3, previous: offsetTable,
                                    predefined: SequenceTable.predefinedOffsets, &block)
        matchLengthTable = try readTable(.matchLength, mode: (modes >> 2) & 3, previous: matchLengthTable,
                                         predefined: SequenceTable.predefinedMatchLengths, &block)
        try execute(count: count, block.base + block.position, streamCount: block.remaining, streamOffset: block.position,
                    literalCount: literalCount, limit: limit)
    }

    private func readTable(_ kind: SequenceTable.Kind, mode: Int, previous: SequenceTable?, predefined: SequenceTable,
                           _ block: inout ByteCursor) throws -> SequenceTable {
        let at = block.position
        switch mode {
        case 0:
            return predefined
        case 1:
            let code = Int(try block.byte("\(kind.name) RLE code"))
            guard code <= kind.maxSymbol else { throw ZstdError.corrupt("\(kind.name) code \(code) exceeds \(kind.maxSymbol)", at: at) }
            return SequenceTable(kind, code: code)
        case 2:
            let distribution = try FSEDistribution(reading: &block, maxAccuracyLog: kind.maxAccuracyLog,
                                                   maxSymbol: kind.maxSymbol, what: kind.name)
            return SequenceTable(kind, distribution: distribution)
        default:
            guard let previous else { throw ZstdError.corrupt("repeat mode for \(kind.name)s without an earlier table", at: at) }
            return previous
        }
    }
}
