extension FrameDecoder {
    /// Decodes the literals section (RFC 8878 §3.1.1.3.1) into ``literals``; returns their count.
    mutating func decodeLiterals(_ block: inout ByteCursor, limit: Int) throws -> Int {
        let at = block.position
        let first = Int(try block.byte("literals section header"))
        let type = first & 3
        let sizeFormat = (first >> 2) & 3
        if type < 2 {
            // Raw or RLE: a regenerated size of 5, 12 or 20 bits.
            let count: Int
            switch sizeFormat {
            case 0, 2: count = first >> 3
            case 1: count = first >> 4 + Int(try block.byte("literals section header")) << 4
            default: count = first >> 4 + Int(try block.little(2, "literals section header")) << 4
            }
            guard count <= limit else { throw tooMany(count, limit, at) }
            if type == 0 {
                try block.need(count, "raw literals")
                literals.update(from: block.base + block.position, count: count)
                block.position += count
            } else {
                literals.update(repeating: try block.byte("RLE literals"), count: count)
            }
            return count
        }
        // Huffman: regenerated and compressed sizes of 10, 10, 14 or 18 bits each.
        let headerBytes = [3, 3, 4, 5][sizeFormat]
        let rest = Int(try block.little(headerBytes - 1, "literals section header"))
        let fields = first >> 4 | rest << 4
        let fieldBits = [10, 10, 14, 18][sizeFormat]
        let count = fields & ((1 << fieldBits) - 1)
        let compressedSize = fields >> fieldBits
        guard count <= limit else { throw tooMany(count, limit, at) }
        try block.need(compressedSize, "Huffman literals")
        var section = ByteCursor(block.base, count: block.position + compressedSize, position: block.position)
        block.position += compressedSize
        if type == 2 {
            huffman = try HuffmanTable(reading: &section)
        }
        guard let table = huffman else {
            throw ZstdError.corrupt("treeless literals without an earlier Huffman table", at: at)
        }
        let streams = section.base + section.position
        if sizeFormat == 0 {
            try table.decodeSingle(streams, streamCount: section.remaining, into: literals, outputCount: count, offset: section.position)
        } else {
            try table.decodeFour(streams, sectionCount: section.remaining, into: literals, outputCount: count, offset: section.position)
        }
        return count
    }

    private func tooMany(_ count: Int, _ limit: Int, _ at: Int) -> ZstdError {
        ZstdError.corrupt("\(count) literals exceed the \(limit) bytes this block may produce", at: at)
    }
}
