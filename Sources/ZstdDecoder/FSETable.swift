/// One state of an FSE decoding table: the symbol it emits and how to reach the next state.
struct FSECell {
    var symbol: UInt8
    var bitCount: UInt8
    var baseline: UInt16
}

extension FSEDistribution {
    /// The decoding table (RFC 8878 §4.1.1, "From normalized distribution to decoding tables").
    func decodingTable() -> [FSECell] {
        let size = 1 << accuracyLog
        var cells = [FSECell](repeating: FSECell(symbol: 0, bitCount: 0, baseline: 0), count: size)
        var next = [Int](repeating: 0, count: counts.count)
        // "Less than 1" symbols take one cell each from the top.
        var high = size - 1
        for (symbol, count) in counts.enumerated() where count == -1 {
            cells[high].symbol = UInt8(symbol)
            high -= 1
            next[symbol] = 1
        }
        // The rest are spread with a fixed step, skipping the cells taken above.
        let step = (size >> 1) + (size >> 3) + 3
        let mask = size - 1
        var position = 0
        for (symbol, count) in counts.enumerated() where count > 0 {
            next[symbol] = Int(count)
            for _ in 0..<Int(count) {
                cells[position].symbol = UInt8(symbol)
                repeat { position = (position + step) & mask } while position > high
            }
        }
        // Occurrences in state order: lower states read one more bit than higher ones.
        for state in 0..<size {
            let symbol = Int(cells[state].symbol)
            let nextState = next[symbol]
            next[symbol] += 1
            let bits = accuracyLog - (Int.bitWidth - 1 - nextState.leadingZeroBitCount)
            cells[state].bitCount = UInt8(bits)
            cells[state].baseline = UInt16((nextState << bits) - size)
        }
        return cells
    }
}
