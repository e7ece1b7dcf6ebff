/// A literals Huffman decoding table indexed by the next 11 bits (the longest code there may
/// be, whatever this tree's longest is, so the hot loop shifts by a constant), each entry
/// holding the symbol (low byte) and its code length (high byte).
struct HuffmanTable {
    static let maxCodeLength = 11
    static let indexBits = maxCodeLength

    var maxBits: Int
    var entries: [UInt16]

    /// Reads a Huffman tree description (RFC 8878 §4.2.1) at `cursor`, moving it past it.
    init(reading cursor: inout ByteCursor) throws {
        let start = cursor.position
        let header = Int(try cursor.byte("Huffman tree description"))
        var weights: [UInt8]
        if header >= 128 {
            let count = header - 127
            let bytes = (count + 1) / 2
            try cursor.need(bytes, "Huffman weights")
            weights = []
            weights.reserveCapacity(count + 1)
            for i in 0..<count {
                let byte = cursor.base[cursor.position + i / 2]
                weights.append(i % 2 == 0 ? byte >> 4 : byte & 0xF)
            }
            cursor.position += bytes
        } else {
            try cursor.need(header, "FSE-compressed Huffman weights")
            var section = ByteCursor(cursor.base, count: cursor.position + header, position: cursor.position)
            weights = try Self.fseWeights(&section, offset: start)
            cursor.position += header
        }
        try self.init(weights: weights, offset: start)
    }

    /// Builds the table from the listed weights, deducing the last symbol's weight.
    init(weights listed: [UInt8], offset: Int) throws {
        guard listed.count <= 255 else { throw ZstdError.corrupt("more than 255 Huffman weights", at: offset) }
        var total = 0
        for weight in listed {
            guard weight <= Self.maxCodeLength else { throw ZstdError.corrupt("Huffman weight \(weight) exceeds \(Self.maxCodeLength)", at: offset) }
            if weight > 0 { total += 1 << (weight - 1) }
        }
        guard total > 0 else { throw ZstdError.corrupt("Huffman weights are all zero", at: offset) }
        let maxBits = Int.bitWidth - total.leadingZeroBitCount  // highest bit + 1
        guard maxBits <= Self.maxCodeLength else {
            throw ZstdError.corrupt("Huffman codes longer than \(Self.maxCodeLength) bits", at: offset)
        }
        let rest = (1 << maxBits) - total
        guard rest & (rest - 1) == 0 else { throw ZstdError.corrupt("Huffman weights do not complete a tree", at: offset) }
        var weights = listed
        weights.append(UInt8(rest.trailingZeroBitCount + 1))
        var rankCount = [Int](repeating: 0, count: Self.maxCodeLength + 2)
        for weight in weights { rankCount[Int(weight)] += 1 }
        guard rankCount[1] >= 2, rankCount[1] & 1 == 0 else {
            throw ZstdError.corrupt("Huffman weights do not form a valid tree", at: offset)
        }
        // Codes go out from the lowest weight (longest code) up, symbols in order within a weight.
        var rankStart = [Int](repeating: 0, count: Self.maxCodeLength + 2)
        var next = 0
        for weight in 1...maxBits {
            rankStart[weight] = next
            next += rankCount[weight] << (weight - 1)
        }
        var entries = [UInt16](repeating: 0, count: 1 << Self.indexBits)
        let spread = Self.indexBits - maxBits
        for (symbol, weight) in weights.enumerated() where weight > 0 {
            let length = 1 << (Int(weight) - 1)
            let entry = UInt16(symbol) | UInt16(maxBits + 1 - Int(weight)) << 8
            let first = rankStart[Int(weight)]
            for i in (first << spread)..<((first + length) << spread) { entries[i] = entry }
            rankStart[Int(weight)] += length
        }
        self.maxBits = maxBits
        self.entries = entries
    }

    /// Weights compressed with FSE: two interleaved states over one backward stream (§4.2.1.2).
    private static func fseWeights(_ section: inout ByteCursor, offset: Int) throws -> [UInt8] {
        let distribution = try FSEDistribution(reading: &section, maxAccuracyLog: 6, maxSymbol: Self.maxCodeLength, what: "Huffman weights")
        let table = distribution.decodingTable()
        var reader = try BackwardBitReader(section.base + section.position, count: section.remaining, offset: section.position)
        let log = distribution.accuracyLog
        var state1 = reader.read(log)
        var state2 = reader.read(log)
        var weights: [UInt8] = []
        weights.reserveCapacity(255)
        // Each symbol's state update may over-read; then the other state's symbol is the last one.
        while true {
            guard weights.count < 254 else { throw ZstdError.corrupt("more than 255 Huffman weights", at: offset) }
            let cell1 = table[state1]
            weights.append(cell1.symbol)
            state1 = Int(cell1.baseline) + reader.read(Int(cell1.bitCount))
            reader.refill()
            if reader.isOverflowed {
                weights.append(table[state2].symbol)
                break
            }
            guard weights.count < 254 else { throw ZstdError.corrupt("more than 255 Huffman weights", at: offset) }
            let cell2 = table[state2]
            weights.append(cell2.symbol)
            state2 = Int(cell2.baseline) + reader.read(Int(cell2.bitCount))
            reader.refill()
            if reader.isOverflowed {
                weights.append(table[state1].symbol)
                break
            }
        }
        return weights
    }
}
