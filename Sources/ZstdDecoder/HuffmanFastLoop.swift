/// The 4-stream Huffman hot loop, after zstd's `HUF_decompress4X1_usingDTable_internal_fast`:
/// each stream's bits are kept left-aligned in a register with a marker bit below the last valid
/// one, so the bits consumed since the last load are the register's trailing zeros and a refill
/// needs no separate counter. Only runs for as many rounds as every stream has 7 bytes of input
/// and 5 bytes of output room per round (5 codes of ≤ 11 bits use ≤ 7 bytes), so it needs no
/// checks inside; the checked reader finishes each stream.
struct HuffmanFourStreams {
    var starts: (UnsafePointer<UInt8>, UnsafePointer<UInt8>, UnsafePointer<UInt8>, UnsafePointer<UInt8>)
    var inputs: (UnsafePointer<UInt8>, UnsafePointer<UInt8>, UnsafePointer<UInt8>, UnsafePointer<UInt8>)
    var bits: (UInt64, UInt64, UInt64, UInt64)
    var outputs: (UnsafeMutablePointer<UInt8>, UnsafeMutablePointer<UInt8>, UnsafeMutablePointer<UInt8>, UnsafeMutablePointer<UInt8>)

    /// Runs the unchecked rounds; the streams must each be at least 8 bytes with a non-zero last byte.
    static func run(_ streams: inout HuffmanFourStreams, table: UnsafePointer<UInt16>,
                    ends: (UnsafeMutablePointer<UInt8>, UnsafeMutablePointer<UInt8>, UnsafeMutablePointer<UInt8>, UnsafeMutablePointer<UInt8>)) {
        var (i1, i2, i3, i4) = streams.inputs
        var (b1, b2, b3, b4) = streams.bits
        let (s1, s2, s3, s4) = streams.starts
        // The streams' outputs advance together: one pointer and the distance between segments.
        var out = streams.outputs.0
        let segment = streams.outputs.1 - streams.outputs.0
        let shift = UInt64(64 - HuffmanTable.indexBits)
        while true {
            // Rounds that are safe for every stream; stream 4's segment is the shortest.
            var rounds = min(min((i1 - s1) / 7, (i2 - s2) / 7), min((i3 - s3) / 7, (i4 - s4) / 7))
            rounds = min(rounds, (ends.3 - (out + 3 * segment)) / 5)
            if rounds <= 0 { break }
            for _ in 0..<rounds {
                for k in 0..<5 {
                    let e1 = table[Int(truncatingIfNeeded: b1 &>> shift)]
                    let e2 = table[Int(truncatingIfNeeded: b2 &>> shift)]
                    let e3 = table[Int(truncatingIfNeeded: b3 &>> shift)]
                    let e4 = table[Int(truncatingIfNeeded: b4 &>> shift)]
                    b1 &<<= UInt64(e1 &>> 8)
                    b2 &<<= UInt64(e2 &>> 8)
                    b3 &<<= UInt64(e3 &>> 8)
                    b4 &<<= UInt64(e4 &>> 8)
                    out[k] = UInt8(truncatingIfNeeded: e1)
                    out[segment + k] = UInt8(truncatingIfNeeded: e2)
                    out[2 * segment + k] = UInt8(truncatingIfNeeded: e3)
                    out[3 * segment + k] = UInt8(truncatingIfNeeded: e4)
                }
                out += 5
                refill(&i1, &b1)
                refill(&i2, &b2)
                refill(&i3, &b3)
                refill(&i4, &b4)
            }
        }
        streams.inputs = (i1, i2, i3, i4)
        streams.bits = (b1, b2, b3, b4)
        streams.outputs = (out, out + segment, out + 2 * segment, out + 3 * segment)
    }

    /// Left-aligned bits of the 8 bytes ending at `end`, past the padding and end mark.
    static func initialBits(_ input: UnsafePointer<UInt8>) -> UInt64 {
        let last = input[7]
        let padding = last.leadingZeroBitCount + 1
        return (UInt64(littleEndian: UnsafeRawPointer(input).loadUnaligned(as: UInt64.self)) | 1) &<< UInt64(padding)
    }

    @inline(__always)
    private static func refill(_ input: inout UnsafePointer<UInt8>, _ bits: inout UInt64) {
        let consumed = bits.trailingZeroBitCount
        input -= consumed &>> 3
        bits = (UInt64(littleEndian: UnsafeRawPointer(input).loadUnaligned(as: UInt64.self)) | 1) &<< UInt64(consumed & 7)
    }
}
