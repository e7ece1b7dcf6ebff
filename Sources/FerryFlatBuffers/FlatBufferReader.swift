/// Reads a FlatBuffer without trusting it: every offset, length and vtable is checked against
/// the buffer before use, and a bad one throws `FlatBufferError` instead of trapping.
public struct FlatBufferReader: Sendable {
    public let bytes: [UInt8]

    public init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    public var size: Int { bytes.count }

    /// The 4-byte file identifier after the root offset, when the buffer is long enough.
    public var fileIdentifier: String? {
        guard bytes.count >= 8 else { return nil }
        return String(decoding: bytes[4..<8], as: UTF8.self)
    }

    /// The root table the first four bytes point to.
    public func rootTable() throws -> FlatBufferTable {
        try check(0, 4, "root offset")
        return try table(at: try follow(0, "root offset"))
    }

    // MARK: primitives

    public func check(_ offset: Int, _ length: Int, _ what: String) throws {
        guard offset >= 0, length >= 0, offset <= bytes.count, length <= bytes.count - offset else {
            throw FlatBufferError.outOfBounds(what: what, offset: offset, length: length, size: bytes.count)
        }
    }

    /// A little-endian integer at `offset`, bounds checked.
    public func read<T: FixedWidthInteger>(_ type: T.Type, at offset: Int, _ what: String) throws -> T {
        let width = MemoryLayout<T>.size
        try check(offset, width, what)
        var value: T = 0
        for i in 0..<width { value |= T(truncatingIfNeeded: bytes[offset + i]) << (8 * i) }
        return value
    }

    /// The position a uoffset stored at `offset` points to.
    public func follow(_ offset: Int, _ what: String) throws -> Int {
        let relative = Int(try read(UInt32.self, at: offset, what))
        let target = offset + relative
        try check(target, 0, what)
        return target
    }

    /// The table whose start is at `position`.
    public func table(at position: Int) throws -> FlatBufferTable {
        let soffset = Int(try read(Int32.self, at: position, "table"))
        let vtable = position - soffset
        let vtableSize = Int(try read(UInt16.self, at: vtable, "vtable"))
        guard vtableSize >= 4, vtableSize % 2 == 0 else {
            throw FlatBufferError.badVTable(offset: vtable, reason: "size \(vtableSize)")
        }
        try check(vtable, vtableSize, "vtable")
        let tableSize = Int(try read(UInt16.self, at: vtable + 2, "vtable"))
        guard tableSize >= 4 else { throw FlatBufferError.badVTable(offset: vtable, reason: "table size \(tableSize)") }
        try check(position, tableSize, "table")
        return FlatBufferTable(reader: self, position: position, vtable: vtable,
                               fieldCount: (vtableSize - 4) / 2, tableSize: tableSize)
    }

    /// The vector whose length word is at `position`.
    public func vector(at position: Int, elementSize: Int, _ what: String) throws -> FlatBufferVector {
        let count = Int(try read(UInt32.self, at: position, what))
        let (byteCount, overflow) = count.multipliedReportingOverflow(by: elementSize)
        guard !overflow else {
            throw FlatBufferError.outOfBounds(what: what, offset: position + 4, length: Int.max, size: bytes.count)
        }
        try check(position + 4, byteCount, what)
        return FlatBufferVector(reader: self, start: position + 4, count: count, elementSize: elementSize)
    }

    public func string(at position: Int) throws -> String {
        let vector = try vector(at: position, elementSize: 1, "string")
        guard let string = String(validating: bytes[vector.start..<(vector.start + vector.count)], as: UTF8.self) else {
            throw FlatBufferError.invalidUTF8(offset: position)
        }
        return string
    }
}

/// A table inside a buffer: field slots resolved through its vtable.
public struct FlatBufferTable: Sendable {
    let reader: FlatBufferReader
    /// Byte position of the table's start (its soffset) in the buffer.
    public let position: Int
    /// Byte position of the table's vtable (shared vtables give equal positions).
    public let vtable: Int
    let fieldCount: Int
    let tableSize: Int

    /// The absolute position of field `slot` (`width` bytes wide), or nil when the vtable leaves it out.
    public func fieldPosition(_ slot: Int, width: Int) throws -> Int? {
        guard slot < fieldCount else { return nil }
        let relative = Int(try reader.read(UInt16.self, at: vtable + 4 + 2 * slot, "vtable entry"))
        guard relative != 0 else { return nil }
        guard relative + width <= tableSize else {
            throw FlatBufferError.badVTable(offset: vtable, reason: "field \(slot) at \(relative) outside the \(tableSize)-byte table")
        }
        return position + relative
    }

    /// Whether the buffer stores field `slot` (a defaulted scalar is usually absent).
    public func has(_ slot: Int) throws -> Bool {
        try fieldPosition(slot, width: 0) != nil
    }

    /// An integer field, or the schema default when absent.
    public func scalar<T: FixedWidthInteger>(_ slot: Int, default defaultValue: T) throws -> T {
        guard let at = try fieldPosition(slot, width: MemoryLayout<T>.size) else { return defaultValue }
        return try reader.read(T.self, at: at, "field \(slot)")
    }

    public func bool(_ slot: Int, default defaultValue: Bool) throws -> Bool {
        try scalar(slot, default: UInt8(defaultValue ? 1 : 0)) != 0
    }

    public func float(_ slot: Int, default defaultValue: Float) throws -> Float {
        Float(bitPattern: try scalar(slot, default: defaultValue.bitPattern))
    }

    private func target(_ slot: Int) throws -> Int? {
        guard let at = try fieldPosition(slot, width: 4) else { return nil }
        return try reader.follow(at, "field \(slot)")
    }

    public func table(_ slot: Int) throws -> FlatBufferTable? {
        guard let at = try target(slot) else { return nil }
        return try reader.table(at: at)
    }

    public func string(_ slot: Int) throws -> String? {
        guard let at = try target(slot) else { return nil }
        return try reader.string(at: at)
    }

    /// A vector field whose elements are `elementSize` bytes (4 for tables and strings).
    public func vector(_ slot: Int, elementSize: Int) throws -> FlatBufferVector? {
        guard let at = try target(slot) else { return nil }
        return try reader.vector(at: at, elementSize: elementSize, "vector field \(slot)")
    }

    /// A vector of integers, empty when absent.
    public func scalars<T: FixedWidthInteger>(_ slot: Int, as type: T.Type) throws -> [T] {
        try vector(slot, elementSize: MemoryLayout<T>.size)?.scalars(as: T.self) ?? []
    }

    public func floats(_ slot: Int) throws -> [Float] {
        try scalars(slot, as: UInt32.self).map(Float.init(bitPattern:))
    }

    /// A vector of tables, empty when absent.
    public func tables(_ slot: Int) throws -> [FlatBufferTable] {
        try vector(slot, elementSize: 4)?.tables() ?? []
    }
}

/// A vector inside a buffer, already checked to lie within it.
public struct FlatBufferVector: Sendable {
    let reader: FlatBufferReader
    /// Byte position of the first element.
    public let start: Int
    public let count: Int
    let elementSize: Int

    public func scalars<T: FixedWidthInteger>(as type: T.Type) throws -> [T] {
        precondition(MemoryLayout<T>.size == elementSize)
        return try (0..<count).map { try reader.read(T.self, at: start + $0 * elementSize, "vector element") }
    }

    /// The raw bytes of the vector's elements.
    public var bytes: ArraySlice<UInt8> { reader.bytes[start..<(start + count * elementSize)] }

    public func tables() throws -> [FlatBufferTable] {
        try (0..<count).map { try reader.table(at: try reader.follow(start + 4 * $0, "vector element")) }
    }

    public func strings() throws -> [String] {
        try (0..<count).map { try reader.string(at: try reader.follow(start + 4 * $0, "vector element")) }
    }
}
