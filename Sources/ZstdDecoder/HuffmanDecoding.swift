/// Decoding Huffman-coded literal streams (RFC 8878 §4.2.2) into a caller's buffer.
extension HuffmanTable {
    /// Decodes one stream of `streamCount` bytes into exactly `outputCount` symbols.
    func decodeSingle(_ stream: UnsafePointer<UInt8>, streamCount: Int, into output: UnsafeMutablePointer<UInt8>,
                      outputCount: Int, offset: Int) throws {
        try entries.withUnsafeBufferPointer { table in
            var reader = try BackwardBitReader(stream, count: streamCount, offset: offset)
            Self.decode(&reader, table.baseAddress!, Self.indexBits, output, output + outputCount)
            guard reader.isComplete else { throw ZstdError.corrupt("Huffman stream does not end where its size says", at: offset) }
        }
    }

    /// Decodes four streams (after their 6-byte jump table) into `outputCount` symbols.
    func decodeFour(_ section: UnsafePointer<UInt8>, sectionCount: Int, into output: UnsafeMutablePointer<UInt8>,
                    outputCount: Int, offset: Int) throws {
        guard sectionCount >= 10 else { throw ZstdError.corrupt("4-stream literals shorter than 10 bytes", at: offset) }
        let size1 = Int(section[0]) | Int(section[1]) << 8
        let size2 = Int(section[2]) | Int(section[3]) << 8
        let size3 = Int(section[4]) | Int(section[5]) << 8
        let size4 = sectionCount - 6 - size1 - size2 - size3
        guard size4 >= 1 else { throw ZstdError.corrupt("literal jump table exceeds the literals section", at: offset) }
        let segment = (outputCount + 3) / 4
        guard 3 * segment <= outputCount else { throw ZstdError.corrupt("too few literals (\(outputCount)) for 4 streams", at: offset) }
        let s1 = section + 6, s2 = s1 + size1, s3 = s2 + size2, s4 = s3 + size3
        let o1 = offset + 6, o2 = o1 + size1, o3 = o2 + size2, o4 = o3 + size3
        try entries.withUnsafeBufferPointer { buffer in
            let table = buffer.baseAddress!
            // Every stream is non-empty with an end mark; the fast loop also needs 8 bytes in each.
            for (stream, size, at) in [(s1, size1, o1), (s2, size2, o2), (s3, size3, o3), (s4, size4, o4)] {
                _ = try BackwardBitReader(stream, count: size, offset: at)
            }
            var p1 = output, p2 = output + segment, p3 = output + 2 * segment, p4 = output + 3 * segment
            let ends = (p2, p3, p4, output + outputCount)
            var r1: BackwardBitReader, r2: BackwardBitReader, r3: BackwardBitReader, r4: BackwardBitReader
            if min(min(size1, size2), min(size3, size4)) >= 8 {
                let i1 = s1 + size1 - 8, i2 = s2 + size2 - 8, i3 = s3 + size3 - 8, i4 = s4 + size4 - 8
                var fast = HuffmanFourStreams(
                    starts: (s1, s2, s3, s4), inputs: (i1, i2, i3, i4),
                    bits: (HuffmanFourStreams.initialBits(i1), HuffmanFourStreams.initialBits(i2),
                           HuffmanFourStreams.initialBits(i3), HuffmanFourStreams.initialBits(i4)),
                    outputs: (p1, p2, p3, p4))
                HuffmanFourStreams.run(&fast, table: table, ends: ends)
                (p1, p2, p3, p4) = fast.outputs
                r1 = BackwardBitReader(start: s1, ptr: fast.inputs.0, consumed: fast.bits.0.trailingZeroBitCount)
                r2 = BackwardBitReader(start: s2, ptr: fast.inputs.1, consumed: fast.bits.1.trailingZeroBitCount)
                r3 = BackwardBitReader(start: s3, ptr: fast.inputs.2, consumed: fast.bits.2.trailingZeroBitCount)
                r4 = BackwardBitReader(start: s4, ptr: fast.inputs.3, consumed: fast.bits.3.trailingZeroBitCount)
            } else {
                r1 = try BackwardBitReader(s1, count: size1, offset: o1)
                r2 = try BackwardBitReader(s2, count: size2, offset: o2)
                r3 = try BackwardBitReader(s3, count: size3, offset: o3)
                r4 = try BackwardBitReader(s4, count: size4, offset: o4)
            }
            let log = Self.indexBits
            Self.decode(&r1, table, log, p1, ends.0)
            Self.decode(&r2, table, log, p2, ends.1)
            Self.decode(&r3, table, log, p3, ends.2)
            Self.decode(&r4, table, log, p4, ends.3)
            for (reader, at) in [(r1, o1), (r2, o2), (r3, o3), (r4, o4)] where !reader.isComplete {
                throw ZstdError.corrupt("Huffman stream does not end where the jump table says", at: at)
            }
        }
    }

    @inline(__always)
    private static func step(_ reader: inout BackwardBitReader, _ table: UnsafePointer<UInt16>, _ log: Int,
                             _ out: inout UnsafeMutablePointer<UInt8>) {
        let entry = table[reader.peekNonZero(log)]
        out.pointee = UInt8(truncatingIfNeeded: entry)
        reader.skip(Int(entry >> 8))
        out += 1
    }

    /// Decodes symbols into `[out, end)`. Over-reading a damaged stream only yields wrong
    /// symbols, which the caller's completeness check then refuses.
    @inline(__always)
    private static func decode(_ reader: inout BackwardBitReader, _ table: UnsafePointer<UInt16>, _ log: Int,
                               _ start: UnsafeMutablePointer<UInt8>, _ end: UnsafeMutablePointer<UInt8>) {
        var out = start
        while end - out >= 5 && reader.refill() {
            for _ in 0..<5 { step(&reader, table, log, &out) }
        }
        while out < end {
            reader.refill()
            step(&reader, table, log, &out)
        }
    }
}
