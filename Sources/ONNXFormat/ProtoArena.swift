import CONNX

/// Owns the C memory of one protobuf-c message tree while the writer builds and packs it:
/// messages, C strings and arrays are allocated here and freed together when the arena goes.
///
/// Tensor bytes are not copied into the arena; `raw_data` points into the tensors' storage,
/// which the caller keeps alive for the arena's lifetime.
final class ProtoArena {
    private var blocks: [UnsafeMutableRawPointer] = []

    deinit {
        for block in blocks { block.deallocate() }
    }

    /// A zeroed message of type `T`, its protobuf-c header set by `initializer` (the generated
    /// `onnx__…__init` function).
    func message<T>(_ initializer: (UnsafeMutablePointer<T>) -> Void) -> UnsafeMutablePointer<T> {
        let raw = allocate(MemoryLayout<T>.size, alignment: MemoryLayout<T>.alignment)
        raw.initializeMemory(as: UInt8.self, repeating: 0, count: MemoryLayout<T>.size)
        let pointer = raw.assumingMemoryBound(to: T.self)
        initializer(pointer)
        return pointer
    }

    /// A NUL-terminated copy of `text`.
    func string(_ text: String) -> UnsafeMutablePointer<CChar> {
        let utf8 = Array(text.utf8)
        let raw = allocate(utf8.count + 1, alignment: 1)
        raw.copyMemory(from: utf8, byteCount: utf8.count)
        raw.storeBytes(of: 0, toByteOffset: utf8.count, as: UInt8.self)
        return raw.assumingMemoryBound(to: CChar.self)
    }

    /// `text` as a protobuf `bytes` value (UTF-8, no terminator).
    func bytes(_ text: String) -> ProtobufCBinaryData {
        let utf8 = Array(text.utf8)
        return ProtobufCBinaryData(len: utf8.count, data: copy(utf8))
    }

    /// A copy of `items` in C memory, or nil when there are none (protobuf-c's empty repeated field).
    func array<T>(_ items: [T]) -> UnsafeMutablePointer<T>? {
        guard !items.isEmpty else { return nil }
        let raw = allocate(MemoryLayout<T>.stride * items.count, alignment: MemoryLayout<T>.alignment)
        let pointer = raw.bindMemory(to: T.self, capacity: items.count)
        pointer.initialize(from: items, count: items.count)
        return pointer
    }

    /// `count` bytes of arena memory for the caller to fill (packed low-bit tensors).
    func buffer(_ count: Int) -> UnsafeMutablePointer<UInt8> {
        let raw = allocate(max(count, 1), alignment: 16)
        raw.initializeMemory(as: UInt8.self, repeating: 0, count: max(count, 1))
        return raw.assumingMemoryBound(to: UInt8.self)
    }

    private func copy(_ bytes: [UInt8]) -> UnsafeMutablePointer<UInt8>? {
        guard !bytes.isEmpty else { return nil }
        let pointer = buffer(bytes.count)
        pointer.initialize(from: bytes, count: bytes.count)
        return pointer
    }

    private func allocate(_ size: Int, alignment: Int) -> UnsafeMutableRawPointer {
        let raw = UnsafeMutableRawPointer.allocate(byteCount: max(size, 1), alignment: max(alignment, 1))
        blocks.append(raw)
        return raw
    }
}
