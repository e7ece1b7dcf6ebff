import CCoreML

/// Owns the C memory of one protobuf-c message tree while it is built and packed: messages,
/// strings and arrays are allocated here and freed together when the arena goes.
final class CArena {
    private var blocks: [UnsafeMutableRawPointer] = []

    deinit {
        for block in blocks { block.deallocate() }
    }

    /// A zeroed message of type `T`, its protobuf-c header set by `initializer` (the generated
    /// `core_ml__specification__…__init` function).
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

    /// A copy of `items` in C memory, or nil when there are none (protobuf-c's empty repeated field).
    func array<T>(_ items: [T]) -> UnsafeMutablePointer<T>? {
        guard !items.isEmpty else { return nil }
        let raw = allocate(MemoryLayout<T>.stride * items.count, alignment: MemoryLayout<T>.alignment)
        let pointer = raw.bindMemory(to: T.self, capacity: items.count)
        pointer.initialize(from: items, count: items.count)
        return pointer
    }

    /// `bytes` as a protobuf `bytes` value.
    func binary(_ bytes: UnsafeRawBufferPointer) -> ProtobufCBinaryData {
        guard bytes.count > 0 else { return ProtobufCBinaryData(len: 0, data: nil) }
        let raw = allocate(bytes.count, alignment: 16)
        raw.copyMemory(from: bytes.baseAddress!, byteCount: bytes.count)
        return ProtobufCBinaryData(len: bytes.count, data: raw.assumingMemoryBound(to: UInt8.self))
    }

    private func allocate(_ size: Int, alignment: Int) -> UnsafeMutableRawPointer {
        let raw = UnsafeMutableRawPointer.allocate(byteCount: max(size, 1), alignment: max(alignment, 1))
        blocks.append(raw)
        return raw
    }
}

/// Swift `String` from a protobuf-c string field (nil is the empty string).
func swiftString(_ pointer: UnsafeMutablePointer<CChar>?) -> String {
    pointer.map { String(cString: $0) } ?? ""
}

/// The elements of a protobuf-c repeated field.
func repeated<T>(_ pointer: UnsafeMutablePointer<T>?, _ count: Int) -> [T] {
    guard let pointer, count > 0 else { return [] }
    return Array(UnsafeBufferPointer(start: pointer, count: count))
}
