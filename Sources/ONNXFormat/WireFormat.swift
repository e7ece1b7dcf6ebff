/// Just enough of the protobuf wire format to take the bulk weight bytes out of a `ModelProto`
/// before protobuf-c parses it: protobuf-c copies every `bytes` field, which would hold a second
/// copy of every weight. The stripped message keeps everything else; the weights are read
/// straight from the mapped file by their byte ranges.
struct WireFormat {
    enum Failure: Error { case truncated(at: Int), badWireType(Int, at: Int) }

    /// The stripped ModelProto and, for each main-graph initializer in order, the byte range of its
    /// `raw_data` in the original (nil where it had none).
    struct Stripped {
        var message: [UInt8]
        var rawData: [Range<Int>?]
    }

    private static let modelGraphField = 7
    private static let graphInitializerField = 5
    private static let tensorRawDataField = 9

    static func stripInitializerData(_ bytes: UnsafeRawBufferPointer) throws -> Stripped {
        var ranges: [Range<Int>?] = []
        var out: [UInt8] = []
        out.reserveCapacity(min(bytes.count, 1 << 20))
        try forEachField(bytes, 0..<bytes.count) { field, wireType, keyRange, valueRange in
            guard field == modelGraphField, wireType == 2 else {
                out.append(contentsOf: bytes[keyRange.lowerBound..<valueRange.upperBound]); return
            }
            var graph: [UInt8] = []
            try forEachField(bytes, valueRange) { field, wireType, keyRange, valueRange in
                guard field == graphInitializerField, wireType == 2 else {
                    graph.append(contentsOf: bytes[keyRange.lowerBound..<valueRange.upperBound]); return
                }
                var tensor: [UInt8] = []
                var raw: Range<Int>? = nil
                try forEachField(bytes, valueRange) { field, wireType, keyRange, valueRange in
                    if field == tensorRawDataField, wireType == 2 {
                        raw = valueRange
                    } else {
                        tensor.append(contentsOf: bytes[keyRange.lowerBound..<valueRange.upperBound])
                    }
                }
                ranges.append(raw)
                appendField(&graph, field: graphInitializerField, payload: tensor)
            }
            appendField(&out, field: modelGraphField, payload: graph)
        }
        return Stripped(message: out, rawData: ranges)
    }

    /// Calls `body(field, wireType, keyRange, valueRange)` for each field in `range`.
    /// For length-delimited fields `valueRange` is the payload without its length prefix; the
    /// caller copies `keyRange.lowerBound..<valueRange.upperBound` to keep the field whole.
    private static func forEachField(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>,
                                     _ body: (Int, Int, Range<Int>, Range<Int>) throws -> Void) throws {
        var position = range.lowerBound
        while position < range.upperBound {
            let keyStart = position
            let key = try readVarint(bytes, &position, limit: range.upperBound)
            let wireType = Int(key & 7)
            let field = Int(key >> 3)
            let valueStart: Int
            let valueEnd: Int
            switch wireType {
            case 0:
                _ = try readVarint(bytes, &position, limit: range.upperBound)
                valueStart = keyStart; valueEnd = position
            case 1:
                valueStart = keyStart; valueEnd = position + 8
            case 5:
                valueStart = keyStart; valueEnd = position + 4
            case 2:
                let length = try readVarint(bytes, &position, limit: range.upperBound)
                guard length <= UInt64(range.upperBound - position) else { throw Failure.truncated(at: position) }
                valueStart = position; valueEnd = position + Int(length)
            default:
                throw Failure.badWireType(wireType, at: keyStart)
            }
            guard valueEnd <= range.upperBound else { throw Failure.truncated(at: position) }
            try body(field, wireType, keyStart..<(wireType == 2 ? valueStart : keyStart), valueStart..<valueEnd)
            position = valueEnd
        }
    }

    private static func readVarint(_ bytes: UnsafeRawBufferPointer, _ position: inout Int, limit: Int) throws -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard position < limit, shift < 64 else { throw Failure.truncated(at: position) }
            let byte = bytes[position]
            position += 1
            result |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 { return result }
            shift += 7
        }
    }

    private static func appendField(_ out: inout [UInt8], field: Int, payload: [UInt8]) {
        appendVarint(&out, UInt64(field << 3 | 2))
        appendVarint(&out, UInt64(payload.count))
        out.append(contentsOf: payload)
    }

    static func appendVarint(_ out: inout [UInt8], _ value: UInt64) {
        var value = value
        while value >= 0x80 {
            out.append(UInt8(value & 0x7F) | 0x80)
            value >>= 7
        }
        out.append(UInt8(value))
    }
}
