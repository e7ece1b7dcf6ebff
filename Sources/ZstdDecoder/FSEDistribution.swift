/// A normalized FSE distribution: per-symbol probabilities summing to `1 << accuracyLog`, with
/// -1 meaning "less than 1" (RFC 8878 §4.1.1).
struct FSEDistribution {
    var accuracyLog: Int
    var counts: [Int16]

    /// Reads a table description at `cursor`, moving it past the bytes used.
    ///
    /// - Parameters:
    ///   - maxAccuracyLog: 6 for Huffman weights, 9 for literal and match lengths, 8 for offsets.
    ///   - maxSymbol: the largest symbol the table may describe.
    init(reading cursor: inout ByteCursor, maxAccuracyLog: Int, maxSymbol: Int, what: String) throws {
        let start = cursor.position
        var reader = ForwardBits(cursor)
        accuracyLog = Int(reader.read(4)) + 5
        guard accuracyLog <= maxAccuracyLog else {
            throw ZstdError.corrupt("\(what) table accuracy log \(accuracyLog) exceeds \(maxAccuracyLog)", at: start)
        }
        var remaining = (1 << accuracyLog) + 1
        var threshold = 1 << accuracyLog
        var bitCount = accuracyLog + 1
        var counts: [Int16] = []
        counts.reserveCapacity(maxSymbol + 1)
        while remaining > 1 {
            guard counts.count <= maxSymbol else {
                throw ZstdError.corrupt("\(what) table describes symbols beyond \(maxSymbol)", at: start)
            }
            let max = 2 * threshold - 1 - remaining
            var value = Int(reader.peek(bitCount))
            if value & (threshold - 1) < max {
                value &= threshold - 1
                reader.skip(bitCount - 1)
            } else {
                value &= 2 * threshold - 1
                if value >= threshold { value -= max }
                reader.skip(bitCount)
            }
            let probability = value - 1
            remaining -= probability < 0 ? 1 : probability
            counts.append(Int16(probability))
            if probability == 0 {
                // Zero probabilities are followed by 2-bit repeat flags; 3 means another flag follows.
                while true {
                    let repeats = Int(reader.read(2))
                    guard counts.count + repeats <= maxSymbol + 1 else {
                        throw ZstdError.corrupt("\(what) table describes symbols beyond \(maxSymbol)", at: start)
                    }
                    counts.append(contentsOf: repeatElement(0, count: repeats))
                    if repeats != 3 { break }
                }
            }
            while remaining < threshold && threshold > 1 {
                bitCount -= 1
                threshold >>= 1
            }
        }
        guard remaining == 1 else {
            throw ZstdError.corrupt("\(what) table probabilities do not sum to \(1 << accuracyLog)", at: start)
        }
        let used = (reader.bitPosition + 7) / 8
        guard used <= cursor.remaining else { throw ZstdError.truncated("\(what) table description", at: start) }
        cursor.position += used
        self.counts = counts
    }

    init(accuracyLog: Int, counts: [Int16]) {
        self.accuracyLog = accuracyLog
        self.counts = counts
    }
}

/// Forward little-endian bits over the rest of the input; bits past the end read as zero, and
/// the caller checks how many bytes were really used.
private struct ForwardBits {
    let cursor: ByteCursor
    var bitPosition = 0

    init(_ cursor: ByteCursor) { self.cursor = cursor }

    func peek(_ n: Int) -> UInt64 {
        var value: UInt64 = 0
        var got = 0
        var bit = bitPosition
        while got < n {
            let index = bit >> 3
            let byte: UInt64 = index < cursor.remaining ? UInt64(cursor.base[cursor.position + index]) : 0
            let shift = bit & 7
            let take = min(8 - shift, n - got)
            value |= ((byte >> UInt64(shift)) & ((1 << UInt64(take)) - 1)) << UInt64(got)
            got += take
            bit += take
        }
        return value
    }

    mutating func skip(_ n: Int) { bitPosition += n }

    mutating func read(_ n: Int) -> UInt64 {
        defer { bitPosition += n }
        return peek(n)
    }
}
