import FerryIR

/// How tensor elements are laid out in ONNX files, as opposed to memory.
///
/// In memory every element of a sub-byte type (int4, uint4, float4e2m1, int2, uint2, float6)
/// takes one byte (signed integers sign-extended), so kernels stay simple. In files they are
/// packed into a little-endian bit stream, the first element in the lowest bits, as ONNX
/// specifies (two 4-bit values per byte, four 2-bit values per byte, four 6-bit values per
/// three bytes).
enum TensorFileLayout {
    static func isUnpackedInMemory(_ type: DataType) -> Bool { type.bitsInFiles < 8 }

    /// Bytes `count` elements take in a file's `raw_data` or external data.
    static func byteCount(_ type: DataType, count: Int) -> Int {
        let bits = type.bitsInFiles
        return bits < 8 ? (count * bits + 7) / 8 : count * type.byteSize
    }

    /// Packs `count` one-byte elements into the file's bit stream at `destination`, which holds
    /// `byteCount(type, count:)` zeroed bytes. An element outside the type's range is an error.
    static func pack(_ type: DataType, from source: UnsafeRawPointer, count: Int, to destination: UnsafeMutablePointer<UInt8>,
                     fail: (String) -> ONNXError) throws {
        let bits = type.bitsInFiles
        let mask = UInt8((1 << bits) - 1)
        let elements = source.assumingMemoryBound(to: UInt8.self)
        for index in 0..<count {
            let byte = elements[index]
            let code = byte & mask
            if decode(code, bits: bits, signed: type.isSignedSubByteInteger) != byte {
                throw fail("element \(index) is \(type.isSignedSubByteInteger ? String(Int8(bitPattern: byte)) : String(byte)), outside the \(bits)-bit range of \(type)")
            }
            let bit = index * bits
            destination[bit / 8] |= code << (bit % 8)
            if bit % 8 + bits > 8 { destination[bit / 8 + 1] |= code >> (8 - bit % 8) }
        }
    }

    /// Unpacks `count` elements from a file's bit stream into one byte each.
    static func unpack(_ type: DataType, from source: UnsafeRawPointer, count: Int, to destination: UnsafeMutableRawPointer) {
        let bits = type.bitsInFiles
        let mask = UInt16((1 << bits) - 1)
        let bytes = source.assumingMemoryBound(to: UInt8.self)
        let out = destination.assumingMemoryBound(to: UInt8.self)
        let byteCount = self.byteCount(type, count: count)
        for index in 0..<count {
            let bit = index * bits
            var word = UInt16(bytes[bit / 8])
            if bit / 8 + 1 < byteCount { word |= UInt16(bytes[bit / 8 + 1]) << 8 }
            let code = UInt8((word >> UInt16(bit % 8)) & mask)
            out[index] = decode(code, bits: bits, signed: type.isSignedSubByteInteger)
        }
    }

    /// The in-memory byte of a `bits`-wide code: sign-extended for signed integers.
    private static func decode(_ code: UInt8, bits: Int, signed: Bool) -> UInt8 {
        guard signed, code & (1 << (bits - 1)) != 0 else { return code }
        return code | ~UInt8((1 << bits) - 1)
    }
}
