/// How one weight array is stored in the `.bin` (NCNN's `ModelBin::load` types and tags).
public enum NCNNWeightStorage: Sendable, Equatable {
    /// `load(…, 1)`: raw little-endian float32, no tag (biases, scales, LayerNorm γ/β).
    case rawFloat32
    /// `load(…, 0)` with tag 0: float32 behind a 4-byte zero flag.
    case taggedFloat32
    /// `load(…, 0)` with tag 0x01306B47: float16, padded to 4 bytes.
    case float16
    /// `load(…, 0)` with tag 0x000D4B38: int8, padded to 4 bytes.
    case int8

    static let float16Tag: UInt32 = 0x0130_6B47
    static let int8Tag: UInt32 = 0x000D_4B38
}

/// Appends weight arrays in the order layers load them.
struct NCNNWeightWriter {
    private(set) var bytes: [UInt8] = []

    mutating func append(_ values: [Float], _ storage: NCNNWeightStorage) {
        switch storage {
        case .rawFloat32:
            appendFloats(values)
        case .taggedFloat32:
            appendWord(0)
            appendFloats(values)
        case .float16:
            appendWord(NCNNWeightStorage.float16Tag)
            for value in values {
                let bits = Float16(value).bitPattern
                bytes.append(UInt8(bits & 0xFF))
                bytes.append(UInt8(bits >> 8))
            }
            pad()
        case .int8:
            preconditionFailure("int8 weights are appended with appendInt8")
        }
    }

    mutating func appendInt8(_ values: [Int8]) {
        appendWord(NCNNWeightStorage.int8Tag)
        bytes += values.map { UInt8(bitPattern: $0) }
        pad()
    }

    private mutating func appendWord(_ word: UInt32) {
        withUnsafeBytes(of: word.littleEndian) { bytes += $0 }
    }

    private mutating func appendFloats(_ values: [Float]) {
        bytes.reserveCapacity(bytes.count + values.count * 4)
        for value in values { appendWord(value.bitPattern) }
    }

    private mutating func pad() {
        while bytes.count % 4 != 0 { bytes.append(0) }
    }
}

/// Reads weight arrays back the way NCNN's `ModelBinFromDataReader::load` does.
struct NCNNWeightReader {
    let bytes: [UInt8]
    let file: String
    private(set) var offset = 0

    init(bytes: [UInt8], file: String) {
        self.bytes = bytes
        self.file = file
    }

    /// What one `load(count, type)` call returned: the values as float32, and the int8 data when tagged so.
    struct Loaded {
        var floats: [Float]
        var int8: [Int8]?
        var storage: NCNNWeightStorage
    }

    private mutating func take(_ count: Int, layer: String) throws -> ArraySlice<UInt8> {
        guard count >= 0, offset + count <= bytes.count else {
            throw NCNNImportError.truncatedWeights(file: file, layer: layer, needed: offset + count, available: bytes.count)
        }
        defer { offset += count }
        return bytes[offset..<(offset + count)]
    }

    private static func word(_ slice: ArraySlice<UInt8>) -> UInt32 {
        let b = Array(slice)
        return UInt32(b[0]) | UInt32(b[1]) << 8 | UInt32(b[2]) << 16 | UInt32(b[3]) << 24
    }

    /// `load(count, 1)`: raw float32.
    mutating func raw(_ count: Int, layer: String) throws -> [Float] {
        let slice = try take(count * 4, layer: layer)
        var result = [Float](repeating: 0, count: count)
        var i = slice.startIndex
        for k in 0..<count {
            result[k] = Float(bitPattern: Self.word(slice[i..<(i + 4)]))
            i += 4
        }
        return result
    }

    /// `load(count, 0)`: a 4-byte flag, then float32, float16 or int8 data.
    mutating func tagged(_ count: Int, layer: String) throws -> Loaded {
        let tag = Self.word(try take(4, layer: layer))
        switch tag {
        case NCNNWeightStorage.float16Tag:
            let slice = try take((count * 2 + 3) / 4 * 4, layer: layer)
            var result = [Float](repeating: 0, count: count)
            var i = slice.startIndex
            for k in 0..<count {
                result[k] = Float(Float16(bitPattern: UInt16(slice[i]) | UInt16(slice[i + 1]) << 8))
                i += 2
            }
            return Loaded(floats: result, int8: nil, storage: .float16)
        case NCNNWeightStorage.int8Tag:
            let slice = try take((count + 3) / 4 * 4, layer: layer)
            let values = slice.prefix(count).map { Int8(bitPattern: $0) }
            return Loaded(floats: values.map { Float($0) }, int8: values, storage: .int8)
        case 0:
            return Loaded(floats: try raw(count, layer: layer), int8: nil, storage: .taggedFloat32)
        default:
            throw NCNNImportError.unsupportedWeightTag(file: file, layer: layer, tag: tag)
        }
    }

    var remaining: Int { bytes.count - offset }
}
