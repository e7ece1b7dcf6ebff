import FerryIR

/// Reads blobs out of a Core ML weight file (storage format version 2, see BlobStorageWriter),
/// checking the header, each blob's sentinel, type and bounds before touching its data.
public struct BlobStorageReader: Sendable {
    public let bytes: [UInt8]
    /// The file's name in errors.
    public let file: String
    public let count: UInt32

    public init(bytes: [UInt8], file: String = "weight.bin") throws {
        self.bytes = bytes
        self.file = file
        guard bytes.count >= BlobStorageWriter.alignment else {
            throw CoreMLReadError.weights(file: file, offset: 0, "\(bytes.count) bytes is shorter than the 64-byte storage header")
        }
        let version: UInt32 = Self.get(bytes, 4)
        guard version == BlobStorageWriter.version else {
            throw CoreMLReadError.weights(file: file, offset: 0, "storage version \(version); only version 2 is known")
        }
        count = Self.get(bytes, 0)
    }

    /// The tensor of `shape` stored at `offset` (its metadata's offset), whose type must be `type`.
    public func tensor(at offset: UInt64, type: DataType, shape: [Int]) throws -> Tensor {
        func fail(_ message: String) -> CoreMLReadError { .weights(file: file, offset: offset, message) }
        guard offset % UInt64(BlobStorageWriter.alignment) == 0, offset >= UInt64(BlobStorageWriter.alignment),
              offset <= UInt64(bytes.count - BlobStorageWriter.alignment) else {
            throw fail("no blob metadata can start there (file of \(bytes.count) bytes, metadata is 64-byte aligned)")
        }
        let start = Int(offset)
        let sentinel: UInt32 = Self.get(bytes, start)
        guard sentinel == BlobStorageWriter.sentinel else {
            throw fail("metadata sentinel is 0x\(String(sentinel, radix: 16)), not 0xdeadbeef")
        }
        let code: UInt32 = Self.get(bytes, start + 4)
        guard let stored = BlobDataType(rawValue: code) else { throw fail("unknown blob data type \(code)") }
        guard stored.irType == type else { throw fail("blob holds \(stored.irType), the program declares \(type)") }
        let size: UInt64 = Self.get(bytes, start + 8)
        let dataOffset: UInt64 = Self.get(bytes, start + 16)
        let expected = UInt64(shape.reduce(1, *) * type.byteSize)
        guard size == expected else { throw fail("blob has \(size) bytes, shape \(shape) of \(type) needs \(expected)") }
        guard dataOffset <= UInt64(bytes.count), size <= UInt64(bytes.count) - dataOffset else {
            throw fail("data at \(dataOffset)+\(size) runs past the end of the file (\(bytes.count) bytes; truncated?)")
        }
        let tensor = Tensor(dataType: type, shape: shape, zeroed: false)
        bytes.withUnsafeBytes { raw in
            tensor.storage.bytes.copyMemory(from: raw.baseAddress! + Int(dataOffset), byteCount: Int(size))
        }
        return tensor
    }

    static func get<T: FixedWidthInteger>(_ bytes: [UInt8], _ offset: Int) -> T {
        var value: T = 0
        for index in 0..<MemoryLayout<T>.size { value |= T(bytes[offset + index]) << (8 * index) }
        return value
    }
}
