import FerryIR
import Foundation

/// Reads and writes NumPy `.npy` arrays (format versions 1–3, little-endian, C order).
public enum NPY {
    public enum Failure: Error, CustomStringConvertible {
        case invalid(file: String, reason: String)
        public var description: String {
            switch self { case .invalid(let file, let reason): return "\(file): not a readable .npy array: \(reason)" }
        }
    }

    static let magic: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59]

    /// numpy dtype descriptors by element type.
    static func descriptor(_ type: DataType) -> String? {
        switch type {
        case .float32: return "<f4"
        case .float64: return "<f8"
        case .float16: return "<f2"
        case .int8: return "|i1"
        case .uint8: return "|u1"
        case .int16: return "<i2"
        case .uint16: return "<u2"
        case .int32: return "<i4"
        case .uint32: return "<u4"
        case .int64: return "<i8"
        case .uint64: return "<u8"
        case .bool: return "|b1"
        default: return nil   // string, bfloat16 and the sub-16-bit types have no numpy descriptor
        }
    }

    static func dataType(descriptor: String) -> DataType? {
        var code = descriptor
        if code.hasPrefix("=") { code = "<" + code.dropFirst() }
        if code.count == 2 { code = "|" + code }
        for type in DataType.allCases {
            guard let known = NPY.descriptor(type) else { continue }
            if known == code || known.dropFirst() == code.dropFirst() && (code.hasPrefix("<") || code.hasPrefix("|")) {
                return type
            }
        }
        return nil
    }

    public static func read(_ data: Data, file: String) throws -> Tensor {
        // Read in place: calibration arrays run to tens of megabytes, and a copy of them into
        // an array, then a zeroed tensor, cost more than parsing.
        try data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
            try read(UnsafeRawBufferPointer(raw), file: file)
        }
    }

    static func read(_ bytes: UnsafeRawBufferPointer, file: String) throws -> Tensor {
        guard let layout = try layout(bytes, file: file) else {
            throw Failure.invalid(file: file, reason: bytes.count >= 10 ? "truncated header" : "missing the \\x93NUMPY magic")
        }
        guard bytes.count - layout.start == layout.byteCount else {
            throw Failure.invalid(file: file, reason: "holds \(bytes.count - layout.start) data bytes; \(layout.type)\(layout.shape) needs \(layout.byteCount)")
        }
        let tensor = Tensor(dataType: layout.type, shape: layout.shape, zeroed: false)
        if layout.byteCount > 0 { tensor.storage.bytes.copyMemory(from: bytes.baseAddress! + layout.start, byteCount: layout.byteCount) }
        tensor.normalizeBooleans()
        return tensor
    }

    /// What the header of an array starting with `bytes` declares, and where its data starts;
    /// nil while `bytes` is too short to hold the whole header.
    static func layout(_ bytes: UnsafeRawBufferPointer, file: String) throws -> (type: DataType, shape: [Int], start: Int, byteCount: Int)? {
        func fail(_ reason: String) -> Failure { .invalid(file: file, reason: reason) }
        guard bytes.count >= 6 else { return nil }
        guard Array(bytes[0..<6]) == magic else { throw fail("missing the \\x93NUMPY magic") }
        guard bytes.count >= 10 else { return nil }
        let major = bytes[6]
        let headerLength: Int
        let headerStart: Int
        switch major {
        case 1: headerLength = Int(bytes[8]) | Int(bytes[9]) << 8; headerStart = 10
        case 2, 3:
            guard bytes.count >= 12 else { return nil }
            headerLength = Int(bytes[8]) | Int(bytes[9]) << 8 | Int(bytes[10]) << 16 | Int(bytes[11]) << 24
            headerStart = 12
        default: throw fail("unknown format version \(major)")
        }
        guard headerLength < 1 << 24 else { throw fail("header of \(headerLength) bytes") }
        guard headerStart + headerLength <= bytes.count else { return nil }
        let header = String(decoding: bytes[headerStart..<(headerStart + headerLength)], as: UTF8.self)
        guard let descr = field(header, "descr"), let order = field(header, "fortran_order"), let shapeText = field(header, "shape") else {
            throw fail("header lacks descr, fortran_order or shape: \(header)")
        }
        let descriptor = descr.trimmingCharacters(in: CharacterSet(charactersIn: "'\""))
        guard let type = dataType(descriptor: descriptor) else {
            throw fail("dtype '\(descriptor)' is not supported (big-endian, object, string or structured)")
        }
        guard order == "False" else { throw fail("Fortran-order arrays are not supported; save with np.ascontiguousarray") }
        let dims = shapeText.trimmingCharacters(in: CharacterSet(charactersIn: "()"))
            .split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        var shape: [Int] = []
        // The size the header claims, checked before anything is allocated for it.
        var byteCount = type.byteSize
        for dim in dims {
            guard let value = Int(dim), value >= 0 else { throw fail("bad shape \(shapeText)") }
            let (product, overflow) = byteCount.multipliedReportingOverflow(by: value)
            guard !overflow, product < 1 << 40 else { throw fail("shape \(shapeText) is too large") }
            byteCount = product
            shape.append(value)
        }
        return (type, shape, headerStart + headerLength, byteCount)
    }

    /// Extracts `'key': value` from a numpy header dict literal.
    static func field(_ header: String, _ key: String) -> String? {
        guard let keyRange = header.range(of: "'\(key)'") ?? header.range(of: "\"\(key)\"") else { return nil }
        var rest = header[keyRange.upperBound...].drop { $0 == " " || $0 == ":" }
        if rest.first == "(" {
            guard let close = rest.firstIndex(of: ")") else { return nil }
            return String(rest[...close])
        }
        rest = rest.prefix { $0 != "," && $0 != "}" }
        return rest.trimmingCharacters(in: .whitespaces)
    }

    public static func encode(_ tensor: Tensor) throws -> Data {
        guard let descr = descriptor(tensor.dataType) else {
            throw Failure.invalid(file: "(output)", reason: "\(tensor.dataType) tensors cannot be written as .npy")
        }
        let shape = tensor.shape.count == 1 ? "(\(tensor.shape[0]),)" : "(\(tensor.shape.map(String.init).joined(separator: ", ")))"
        var header = "{'descr': '\(descr)', 'fortran_order': False, 'shape': \(shape), }"
        let unpadded = 10 + header.utf8.count + 1
        header += String(repeating: " ", count: (64 - unpadded % 64) % 64) + "\n"
        var data = Data(magic)
        data.append(contentsOf: [1, 0, UInt8(header.utf8.count & 0xFF), UInt8(header.utf8.count >> 8)])
        data.append(contentsOf: Array(header.utf8))
        data.append(Data(bytes: tensor.storage.bytes, count: tensor.byteCount))
        return data
    }
}

extension Tensor {
    /// numpy writes booleans as one byte; any nonzero byte is true.
    func normalizeBooleans() {
        guard dataType == .bool else { return }
        let p = storage.bytes.assumingMemoryBound(to: UInt8.self)
        for i in 0..<count where p[i] > 1 { p[i] = 1 }
    }
}
