import FerryIR

/// Builds a Core ML weight file (MILBlob storage format version 2, `weight.bin`):
///
///     storage_header (64 bytes): count u32, version u32 = 2, 7 reserved u64
///     per blob, at a 64-byte aligned offset:
///       blob_metadata (64 bytes): sentinel u32 = 0xDEADBEEF, dtype u32, size u64,
///                                 data offset u64, padding bits u64, 4 reserved u64
///       data (size bytes), starting right after its metadata (so also 64-byte aligned)
///
/// All fields are little-endian. A `BlobFileValue` refers to a blob by its metadata's offset.
public struct BlobStorageWriter: Sendable {
    public static let alignment = 64
    public static let sentinel: UInt32 = 0xDEAD_BEEF
    public static let version: UInt32 = 2

    public private(set) var bytes: [UInt8]
    public private(set) var count: UInt32 = 0

    public init() {
        bytes = Array(repeating: 0, count: Self.alignment)
        Self.put(UInt32(2), at: 4, in: &bytes)
    }

    /// Appends `tensor`'s elements and returns the offset of its metadata.
    public mutating func append(_ tensor: Tensor) -> UInt64? {
        guard let type = BlobDataType(tensor.dataType) else { return nil }
        let padding = (Self.alignment - bytes.count % Self.alignment) % Self.alignment
        bytes += Array(repeating: 0, count: padding)
        let metadataOffset = bytes.count
        var metadata = [UInt8](repeating: 0, count: Self.alignment)
        Self.put(Self.sentinel, at: 0, in: &metadata)
        Self.put(type.rawValue, at: 4, in: &metadata)
        Self.put(UInt64(tensor.byteCount), at: 8, in: &metadata)
        Self.put(UInt64(metadataOffset + Self.alignment), at: 16, in: &metadata)
        bytes += metadata
        bytes += UnsafeRawBufferPointer(start: tensor.storage.bytes, count: tensor.byteCount)
        count += 1
        Self.put(count, at: 0, in: &bytes)
        return UInt64(metadataOffset)
    }

    static func put<T: FixedWidthInteger>(_ value: T, at offset: Int, in bytes: inout [UInt8]) {
        withUnsafeBytes(of: value.littleEndian) { raw in
            for (index, byte) in raw.enumerated() { bytes[offset + index] = byte }
        }
    }
}
