/// A minimal ZIP archive of stored (uncompressed) files, as tflite-support's MetadataPopulator
/// appends associated files to a model with Python's `zipfile` (ZIP_STORED). Deterministic:
/// fixed DOS time 1980-01-01 00:00, files in the order given. Offsets are from the start of the
/// whole file (`base` bytes of model precede the archive), as `zipfile` writes when appending.
enum ZipArchive {
    static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var table = [UInt32](repeating: 0, count: 256)
        for i in 0..<256 {
            var c = UInt32(i)
            for _ in 0..<8 { c = c & 1 == 1 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
            table[i] = c
        }
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes { crc = table[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8) }
        return crc ^ 0xFFFF_FFFF
    }

    /// The archive bytes for `files`, to be appended after `base` bytes.
    static func archive(_ files: [(name: String, bytes: [UInt8])], base: Int) -> [UInt8] {
        var out: [UInt8] = [], central: [UInt8] = []
        func u16(_ v: Int, _ into: inout [UInt8]) { into += [UInt8(v & 0xFF), UInt8((v >> 8) & 0xFF)] }
        func u32(_ v: UInt32, _ into: inout [UInt8]) { for shift in [0, 8, 16, 24] { into.append(UInt8((v >> UInt32(shift)) & 0xFF)) } }
        let dosDate = (0 << 9) | (1 << 5) | 1  // 1980-01-01
        for file in files {
            let name = Array(file.name.utf8), crc = crc32(file.bytes), offset = UInt32(base + out.count)
            u32(0x0403_4B50, &out); u16(20, &out); u16(0, &out); u16(0, &out); u16(0, &out); u16(dosDate, &out)
            u32(crc, &out); u32(UInt32(file.bytes.count), &out); u32(UInt32(file.bytes.count), &out)
            u16(name.count, &out); u16(0, &out)
            out += name + file.bytes
            u32(0x0201_4B50, &central); u16(0x0314, &central); u16(20, &central); u16(0, &central); u16(0, &central); u16(0, &central)
            u16(dosDate, &central); u32(crc, &central); u32(UInt32(file.bytes.count), &central); u32(UInt32(file.bytes.count), &central)
            u16(name.count, &central); u16(0, &central); u16(0, &central); u16(0, &central); u16(0, &central)
            u32(0o100644 << 16, &central); u32(offset, &central)
            central += name
        }
        let centralOffset = UInt32(base + out.count)
        out += central
        u32(0x0605_4B50, &out); u16(0, &out); u16(0, &out); u16(files.count, &out); u16(files.count, &out)
        u32(UInt32(central.count), &out); u32(centralOffset, &out); u16(0, &out)
        return out
    }

    /// The stored files of an archive at the end of `bytes` (names and contents), or [] when
    /// `bytes` ends with no archive.
    static func files(in bytes: [UInt8]) throws -> [(name: String, bytes: [UInt8])] {
        guard bytes.count >= 22 else { return [] }
        func u16(_ at: Int) -> Int { Int(bytes[at]) | Int(bytes[at + 1]) << 8 }
        func u32(_ at: Int) -> Int { u16(at) | u16(at + 2) << 16 }
        // The end-of-central-directory record: last signature within the comment's reach.
        guard let end = stride(from: bytes.count - 22, through: max(0, bytes.count - 22 - 0xFFFF), by: -1).first(where: { u32($0) == 0x0605_4B50 }) else {
            return []
        }
        let count = u16(end + 10), size = u32(end + 12), start = u32(end + 16)
        guard start + size <= end else { throw TFLiteMetadataError.badArchive("central directory at \(start) (\(size) bytes) overlaps its end record at \(end)") }
        var result: [(name: String, bytes: [UInt8])] = []
        var at = start
        for index in 0..<count {
            guard at + 46 <= end, u32(at) == 0x0201_4B50 else { throw TFLiteMetadataError.badArchive("central directory entry \(index) at \(at) is malformed") }
            let method = u16(at + 10), stored = u32(at + 20), nameLength = u16(at + 28), extra = u16(at + 30), comment = u16(at + 32)
            let local = u32(at + 42)
            let name = String(decoding: bytes[(at + 46)..<(at + 46 + nameLength)], as: UTF8.self)
            guard method == 0 else { throw TFLiteMetadataError.badArchive("'\(name)' is compressed (method \(method)); stored files only") }
            guard local + 30 <= bytes.count, u32(local) == 0x0403_4B50 else { throw TFLiteMetadataError.badArchive("'\(name)': local header at \(local) is malformed") }
            let data = local + 30 + u16(local + 26) + u16(local + 28)
            guard data + stored <= bytes.count else { throw TFLiteMetadataError.badArchive("'\(name)' runs past the end of the file") }
            result.append((name, Array(bytes[data..<(data + stored)])))
            at += 46 + nameLength + extra + comment
        }
        return result
    }
}
