import CONNX
import FerryIR

extension ProtoBuilder {
    /// A TensorProto for `tensor`: its bytes as little-endian `raw_data` (pointing into the
    /// tensor's storage, or into the arena when the element type is bit-packed in files), strings
    /// as `string_data`, or, for initializers at least the external threshold long, a reference
    /// into the external data file.
    func tensor(_ tensor: Tensor, name: String, label: String? = nil, mayGoExternal: Bool) throws -> UnsafeMutablePointer<Onnx__TensorProto> {
        let label = label ?? name
        func fail(_ reason: String) -> ONNXError { .invalidTensor(file: path, tensor: label, reason: reason) }
        guard tensor.shape.allSatisfy({ $0 >= 0 }) else { throw fail("has a negative dimension in shape \(tensor.shape)") }
        let proto: UnsafeMutablePointer<Onnx__TensorProto> = arena.message(onnx__tensor_proto__init)
        proto.pointee.name = optionalString(name)
        proto.pointee.has_data_type = 1
        proto.pointee.data_type = tensor.dataType.rawValue
        proto.pointee.n_dims = tensor.shape.count
        proto.pointee.dims = arena.array(tensor.shape.map { Int64($0) })

        if tensor.dataType == .string {
            let strings = tensor.storage.strings
            guard strings.count == tensor.count else {
                throw fail("holds \(strings.count) strings, but shape \(tensor.shape) needs \(tensor.count)")
            }
            proto.pointee.n_string_data = strings.count
            proto.pointee.string_data = arena.array(strings.map { arena.bytes($0) })
            return proto
        }
        guard tensor.storage.byteCount >= tensor.byteCount else {
            throw fail("storage has \(tensor.storage.byteCount) bytes, but \(tensor.dataType)\(tensor.shape) needs \(tensor.byteCount)")
        }
        let data = try fileBytes(tensor, fail: fail)
        if mayGoExternal, let external, data.len >= external.threshold {
            let offset = external.place(data)
            let entries = [("location", external.location), ("offset", String(offset)), ("length", String(data.len))]
                .map { key, value in
                    let entry: UnsafeMutablePointer<Onnx__StringStringEntryProto> = arena.message(onnx__string_string_entry_proto__init)
                    entry.pointee.key = arena.string(key)
                    entry.pointee.value = arena.string(value)
                    return Optional(entry)
                }
            proto.pointee.n_external_data = entries.count
            proto.pointee.external_data = arena.array(entries)
            proto.pointee.has_data_location = 1
            proto.pointee.data_location = ONNX__TENSOR_PROTO__DATA_LOCATION__EXTERNAL
        } else {
            proto.pointee.has_raw_data = 1
            proto.pointee.raw_data = data
        }
        return proto
    }

    /// The tensor's bytes as ONNX stores them: the storage itself for byte-aligned types,
    /// a packed copy for the sub-byte types.
    private func fileBytes(_ tensor: Tensor, fail: (String) -> ONNXError) throws -> ProtobufCBinaryData {
        let count = tensor.count
        let byteCount = TensorFileLayout.byteCount(tensor.dataType, count: count)
        guard byteCount > 0 else { return ProtobufCBinaryData(len: 0, data: nil) }
        let source = UnsafeRawPointer(tensor.storage.bytes)
        if TensorFileLayout.isUnpackedInMemory(tensor.dataType) {
            let packed = arena.buffer(byteCount)
            try TensorFileLayout.pack(tensor.dataType, from: source, count: count, to: packed, fail: fail)
            return ProtobufCBinaryData(len: byteCount, data: packed)
        }
        return ProtobufCBinaryData(len: byteCount, data: UnsafeMutablePointer(mutating: source.assumingMemoryBound(to: UInt8.self)))
    }
}

/// Where the external tensors go in the data file: each at a 4 KiB-aligned offset, so that a
/// runtime can map them in place.
final class ExternalDataLayout {
    static let alignment = 4096
    let location: String
    let threshold: Int
    private(set) var segments: [(offset: Int, bytes: UnsafeRawBufferPointer)] = []
    private(set) var size = 0

    init(location: String, threshold: Int) {
        self.location = location
        self.threshold = threshold
    }

    /// Reserves space for `data` and returns its offset.
    func place(_ data: ProtobufCBinaryData) -> Int {
        let offset = (size + Self.alignment - 1) / Self.alignment * Self.alignment
        segments.append((offset, UnsafeRawBufferPointer(start: data.data, count: data.len)))
        size = offset + data.len
        return offset
    }
}
