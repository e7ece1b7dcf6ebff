extension FrameDecoder {
    /// Decodes `count` sequences from the bitstream and executes each as it comes: copy its
    /// literals, then its match from earlier output or the prefix (RFC 8878 §3.1.2).
    ///
    /// Every length and offset is checked before a byte moves. Copies move 16 bytes at a time
    /// and may write up to 15 bytes past a sequence's end, but only where at least 16 bytes of
    /// output remain after it; those bytes are overwritten by later sequences.
    mutating func execute(count: Int, _ stream: UnsafePointer<UInt8>, streamCount: Int, streamOffset: Int,
                          literalCount: Int, limit: Int) throws {
        guard let ll = literalLengthTable, let of = offsetTable, let ml = matchLengthTable else {
            throw ZstdError.corrupt("sequences without decoding tables", at: streamOffset)
        }
        var reader = try BackwardBitReader(stream, count: streamCount, offset: streamOffset)
        let outStart = output
        let blockEnd = output + written + limit
        let bufferEnd = output + outputCount
        let prefixCount = self.prefixCount
        let prefixEnd = prefix.map { $0 + prefixCount }
        var op = output + written
        var lit = UnsafePointer(literals)
        let litEnd = lit + literalCount
        var (rep1, rep2, rep3) = repeatOffsets

        try ll.cells.withUnsafeBufferPointer { llBuffer in
            try of.cells.withUnsafeBufferPointer { ofBuffer in
                try ml.cells.withUnsafeBufferPointer { mlBuffer in
                    let llCells = llBuffer.baseAddress!, ofCells = ofBuffer.baseAddress!, mlCells = mlBuffer.baseAddress!
                    var llState = reader.read(ll.accuracyLog)
                    var ofState = reader.read(of.accuracyLog)
                    var mlState = reader.read(ml.accuracyLog)
                    reader.refill()
                    for index in 0..<count {
                        let llCell = llCells[llState], ofCell = ofCells[ofState], mlCell = mlCells[mlState]
                        // Offset bits (≤ 31) and match length bits (≤ 16) fit one refill (≥ 57 bits)...
                        let offsetValue = Int(ofCell.baseValue) &+ reader.read(Int(ofCell.extraBits))
                        let matchLength = Int(mlCell.baseValue) &+ reader.read(Int(mlCell.extraBits))
                        reader.refill()
                        // ...as do literal length bits (≤ 16) and the three state updates (≤ 26).
                        let literalLength = Int(llCell.baseValue) &+ reader.read(Int(llCell.extraBits))
                        if index != count - 1 {
                            llState = Int(llCell.baseline) &+ reader.read(Int(llCell.bitCount))
                            mlState = Int(mlCell.baseline) &+ reader.read(Int(mlCell.bitCount))
                            ofState = Int(ofCell.baseline) &+ reader.read(Int(ofCell.bitCount))
                            reader.refill()
                        }

                        let offset: Int
                        if offsetValue > 3 {
                            offset = offsetValue - 3
                            rep3 = rep2
                            rep2 = rep1
                            rep1 = offset
                        } else {
                            switch literalLength == 0 ? offsetValue + 1 : offsetValue {
                            case 1:
                                offset = rep1
                            case 2:
                                offset = rep2
                                rep2 = rep1
                                rep1 = offset
                            case 3:
                                offset = rep3
                                rep3 = rep2
                                rep2 = rep1
                                rep1 = offset
                            default:
                                offset = rep1 - 1
                                rep3 = rep2
                                rep2 = rep1
                                rep1 = offset
                            }
                        }

                        guard literalLength <= litEnd - lit else {
                            throw ZstdError.corrupt("sequence \(index) uses more literals than the block has", at: streamOffset)
                        }
                        guard literalLength + matchLength <= blockEnd - op else { throw sequenceOverrun(index, streamOffset) }
                        let matchStart = op + literalLength
                        let history = matchStart - outStart
                        guard offset > 0, offset <= history + prefixCount else {
                            throw ZstdError.corrupt("sequence \(index) has offset \(offset) beyond the decoded data", at: streamOffset)
                        }
                        let wild = bufferEnd - matchStart - matchLength >= 16

                        // Literals.
                        if wild && literalLength <= 16 {
                            copy16(op, lit)
                        } else if wild && literalLength <= 32 {
                            copy16(op, lit)
                            copy16(op + 16, lit + 16)
                        } else {
                            op.update(from: lit, count: literalLength)
                        }
                        op = matchStart
                        lit += literalLength

                        // Match.
                        if offset <= history {
                            let source = UnsafePointer(op - offset)
                            if wild && offset >= 16 && matchLength <= 32 {
                                copy16(op, source)
                                copy16(op + 16, source + 16)
                            } else if offset >= matchLength {
                                op.update(from: source, count: matchLength)
                            } else if wild && offset >= 16 {
                                var d = op, s = source
                                let end = op + matchLength
                                repeat {
                                    copy16(d, s)
                                    d += 16
                                    s += 16
                                } while d < end
                            } else {
                                copyOverlapping(op, distance: offset, count: matchLength)
                            }
                        } else {
                            // Part or all of the match lies in the prefix.
                            let fromPrefix = offset - history
                            let source = prefixEnd! - fromPrefix
                            if fromPrefix >= matchLength {
                                op.update(from: source, count: matchLength)
                            } else {
                                op.update(from: source, count: fromPrefix)
                                copyOverlapping(op + fromPrefix, distance: offset, count: matchLength - fromPrefix)
                            }
                        }
                        op += matchLength
                    }
                }
            }
        }
        guard reader.isComplete else {
            throw ZstdError.corrupt("sequence bitstream does not end after \(count) sequences", at: streamOffset)
        }
        // Literals left after the last sequence end the block.
        let tail = litEnd - lit
        guard tail <= blockEnd - op else { throw sequenceOverrun(count, streamOffset) }
        op.update(from: lit, count: tail)
        op += tail
        written = op - outStart
        repeatOffsets = (rep1, rep2, rep3)
    }

    private func sequenceOverrun(_ index: Int, _ at: Int) -> ZstdError {
        ZstdError.corrupt("sequence \(index) writes past the end of its block (block maximum or declared content size)", at: at)
    }
}

/// Copies 16 bytes; source and destination may be unaligned.
@inline(__always)
private func copy16(_ destination: UnsafeMutablePointer<UInt8>, _ source: UnsafePointer<UInt8>) {
    UnsafeMutableRawPointer(destination).storeBytes(
        of: UnsafeRawPointer(source).loadUnaligned(as: SIMD16<UInt8>.self), as: SIMD16<UInt8>.self)
}

/// Copies `count` bytes from `distance` bytes back, where the two ranges may overlap (the
/// source repeats with period `distance`): doubling chunks that never overlap themselves.
@inline(__always)
private func copyOverlapping(_ destination: UnsafeMutablePointer<UInt8>, distance: Int, count: Int) {
    let source = UnsafePointer(destination - distance)
    if distance >= count {
        destination.update(from: source, count: count)
        return
    }
    if count <= 16 || distance == 1 && count < 64 {
        for i in 0..<count { destination[i] = source[i] }
        return
    }
    if distance == 1 {
        destination.update(repeating: source.pointee, count: count)
        return
    }
    var done = 0
    while done < count {
        let chunk = min(distance + done, count - done)
        (destination + done).update(from: source, count: chunk)
        done += chunk
    }
}
