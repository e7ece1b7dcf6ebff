/// Builds a FlatBuffer back to front, as the format's reference builders do.
///
/// Objects are written children first; each `create…`/`endTable` call returns an `Offset`
/// (the object's distance from the buffer's end), which later fields refer to. Fields equal to
/// their schema default are omitted (force-defaults off), identical vtables are shared, and the
/// same sequence of calls always yields the same bytes.
public struct FlatBufferBuilder {
    /// A written object, counted from the end of the buffer.
    public struct Offset: Hashable, Sendable {
        public let value: Int
    }

    /// Bytes in reverse-growth order: `storage[head...]` is the finished tail of the buffer.
    private var storage: [UInt8]
    private var head: Int
    /// The largest alignment any written object asked for; the finished buffer honours it.
    public private(set) var minAlign = 1
    /// Field slot → position (offset from the end) of the open table's fields.
    private var fieldOffsets: [Int] = []
    private var tableStart: Int?
    /// Offsets of every vtable written so far, for sharing.
    private var vtables: [Int] = []
    private var vectorOpen = false
    /// Strings written by `createSharedString`, for reuse.
    private var sharedStrings: [String: Offset] = [:]

    public init(initialCapacity: Int = 1024) {
        storage = Array(repeating: 0, count: max(initialCapacity, 16))
        head = storage.count
    }

    /// Bytes written so far.
    public var size: Int { storage.count - head }

    // MARK: raw space

    private mutating func grow(toFit needed: Int) {
        guard head < needed else { return }
        var capacity = storage.count
        while capacity - size < needed { capacity *= 2 }
        var larger = [UInt8](repeating: 0, count: capacity)
        let used = size
        larger.withUnsafeMutableBytes { dst in
            storage.withUnsafeBytes { src in
                dst.baseAddress!.advanced(by: capacity - used).copyMemory(from: src.baseAddress!.advanced(by: head), byteCount: used)
            }
        }
        head = capacity - used
        storage = larger
    }

    private mutating func pad(_ count: Int) {
        grow(toFit: count)
        for _ in 0..<count {
            head -= 1
            storage[head] = 0
        }
    }

    /// Pads so that after writing `additional` bytes the buffer is aligned to `alignment`.
    public mutating func prep(_ alignment: Int, _ additional: Int) {
        precondition(alignment > 0 && alignment & (alignment - 1) == 0, "alignment must be a power of two")
        minAlign = max(minAlign, alignment)
        let padding = (~(size + additional) &+ 1) & (alignment - 1)
        pad(padding)
    }

    private mutating func push<T: FixedWidthInteger>(_ value: T) {
        let width = MemoryLayout<T>.size
        grow(toFit: width)
        head -= width
        var little = value.littleEndian
        withUnsafeBytes(of: &little) { bytes in
            for i in 0..<width { storage[head + i] = bytes[i] }
        }
    }

    private mutating func pushBytes(_ bytes: UnsafeRawBufferPointer) {
        grow(toFit: bytes.count)
        head -= bytes.count
        guard bytes.count > 0 else { return }
        let start = head
        storage.withUnsafeMutableBytes { dst in
            dst.baseAddress!.advanced(by: start).copyMemory(from: bytes.baseAddress!, byteCount: bytes.count)
        }
    }

    private mutating func pushBytes(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { pushBytes($0) }
    }

    /// Writes an aligned scalar outside any table (used for vector elements and the root).
    private mutating func place<T: FixedWidthInteger>(_ value: T) {
        prep(MemoryLayout<T>.size, 0)
        push(value)
    }

    /// The value of a uoffset that, written at the next aligned slot, points to `target`.
    private mutating func relative(to target: Offset) -> UInt32 {
        prep(4, 0)
        precondition(target.value <= size, "an offset must refer to an object written earlier")
        return UInt32(size - target.value + 4)
    }

    // MARK: tables

    /// Opens a table with room for `fieldCount` field slots.
    public mutating func startTable(fieldCount: Int) {
        precondition(tableStart == nil && !vectorOpen, "tables and vectors cannot nest while being built")
        fieldOffsets = Array(repeating: 0, count: fieldCount)
        tableStart = size
    }

    private mutating func track(slot: Int) {
        precondition(tableStart != nil, "a field needs an open table")
        precondition(slot < fieldOffsets.count, "field slot \(slot) beyond the table's \(fieldOffsets.count) slots")
        fieldOffsets[slot] = size
    }

    /// Adds an integer field unless it equals the schema default.
    public mutating func add<T: FixedWidthInteger>(_ slot: Int, _ value: T, default defaultValue: T) {
        guard value != defaultValue else { return }
        place(value)
        track(slot: slot)
    }

    /// Adds a bool field unless it equals the schema default.
    public mutating func add(_ slot: Int, _ value: Bool, default defaultValue: Bool) {
        add(slot, UInt8(value ? 1 : 0), default: defaultValue ? 1 : 0)
    }

    /// Adds a float field unless it equals the schema default (bit-exact, so -0.0 is kept).
    public mutating func add(_ slot: Int, _ value: Float, default defaultValue: Float) {
        guard value.bitPattern != defaultValue.bitPattern else { return }
        place(value.bitPattern)
        track(slot: slot)
    }

    /// Adds a field referring to a table, vector or string written earlier.
    public mutating func add(_ slot: Int, offset: Offset?) {
        guard let offset else { return }
        let value = relative(to: offset)
        push(value)
        track(slot: slot)
    }

    /// Closes the open table, writing (or sharing) its vtable.
    public mutating func endTable() -> Offset {
        guard let start = tableStart else { preconditionFailure("endTable without startTable") }
        place(Int32(0))   // soffset to the vtable, patched below
        let object = size
        var used = fieldOffsets.count
        while used > 0 && fieldOffsets[used - 1] == 0 { used -= 1 }
        var vtable: [UInt16] = [UInt16((2 + used) * 2), UInt16(object - start)]
        for slot in 0..<used {
            vtable.append(fieldOffsets[slot] == 0 ? 0 : UInt16(object - fieldOffsets[slot]))
        }
        let existing = vtables.first { candidate in
            let position = storage.count - candidate
            guard position + vtable.count * 2 <= storage.count else { return false }
            for (i, entry) in vtable.enumerated() where readUInt16(at: position + 2 * i) != entry { return false }
            return true
        }
        let vtableOffset: Int
        if let existing {
            vtableOffset = existing
        } else {
            for entry in vtable.reversed() { push(entry) }
            vtableOffset = size
            vtables.append(vtableOffset)
        }
        // soffset = table position − vtable position, in buffer addresses (end-relative here).
        writeInt32(Int32(vtableOffset - object), atEndOffset: object)
        tableStart = nil
        fieldOffsets = []
        return Offset(value: object)
    }

    private func readUInt16(at position: Int) -> UInt16 {
        UInt16(storage[position]) | UInt16(storage[position + 1]) << 8
    }

    private mutating func writeInt32(_ value: Int32, atEndOffset offset: Int) {
        let position = storage.count - offset
        let bits = UInt32(bitPattern: value)
        for i in 0..<4 { storage[position + i] = UInt8(truncatingIfNeeded: bits >> (8 * i)) }
    }

    // MARK: strings and vectors

    /// Writes a string: length, UTF-8 bytes and a terminating zero.
    public mutating func createString(_ string: String) -> Offset {
        precondition(tableStart == nil, "strings are written before the table that refers to them")
        let bytes = Array(string.utf8)
        prep(4, bytes.count + 1)
        pushBytes([0])
        pushBytes(bytes)
        push(UInt32(bytes.count))
        return Offset(value: size)
    }

    /// Writes a string once and returns the same offset for every later equal string (names
    /// that many tables repeat: value names, op types, attribute names).
    public mutating func createSharedString(_ string: String) -> Offset {
        if let offset = sharedStrings[string] { return offset }
        let offset = createString(string)
        sharedStrings[string] = offset
        return offset
    }

    /// Writes a vector of integers; `alignment` can force a larger start alignment (16 for
    /// TFLite buffer data, which TFLM reads in place).
    public mutating func createVector<T: FixedWidthInteger>(_ values: [T], alignment: Int = 1) -> Offset {
        precondition(tableStart == nil, "vectors are written before the table that refers to them")
        let width = MemoryLayout<T>.size
        startVector(byteCount: width * values.count, elementAlignment: max(width, alignment))
        if T.self == UInt8.self || T.self == Int8.self {
            values.withUnsafeBytes { pushBytes($0) }
        } else {
            for value in values.reversed() { push(value) }
        }
        return endVector(count: values.count)
    }

    /// Writes a vector of floats.
    public mutating func createVector(_ values: [Float]) -> Offset {
        createVector(values.map(\.bitPattern))
    }

    /// Writes a vector of bools as bytes.
    public mutating func createVector(_ values: [Bool]) -> Offset {
        createVector(values.map { UInt8($0 ? 1 : 0) })
    }

    /// Writes a vector of raw bytes (buffer data), aligned to `alignment`.
    public mutating func createVector(bytes: UnsafeRawBufferPointer, alignment: Int = 1) -> Offset {
        precondition(tableStart == nil, "vectors are written before the table that refers to them")
        startVector(byteCount: bytes.count, elementAlignment: alignment)
        pushBytes(bytes)
        return endVector(count: bytes.count)
    }

    /// Writes a vector of structs, each given as its little-endian bytes of `structSize`.
    public mutating func createVector(structs: [[UInt8]], structSize: Int, structAlignment: Int) -> Offset {
        precondition(tableStart == nil, "vectors are written before the table that refers to them")
        precondition(structs.allSatisfy { $0.count == structSize }, "every struct must be \(structSize) bytes")
        startVector(byteCount: structSize * structs.count, elementAlignment: structAlignment)
        for element in structs.reversed() { pushBytes(element) }
        return endVector(count: structs.count)
    }

    /// Writes a vector of references to tables or strings written earlier.
    public mutating func createVector(offsets: [Offset]) -> Offset {
        precondition(tableStart == nil, "vectors are written before the table that refers to them")
        startVector(byteCount: 4 * offsets.count, elementAlignment: 4)
        for offset in offsets.reversed() {
            let value = relative(to: offset)
            push(value)
        }
        return endVector(count: offsets.count)
    }

    private mutating func startVector(byteCount: Int, elementAlignment: Int) {
        prep(4, byteCount)
        prep(elementAlignment, byteCount)
        vectorOpen = true
    }

    private mutating func endVector(count: Int) -> Offset {
        vectorOpen = false
        prep(4, 0)
        push(UInt32(count))
        return Offset(value: size)
    }

    // MARK: finishing

    /// Writes the root reference and the optional 4-byte file identifier; returns the buffer.
    public mutating func finish(root: Offset, fileIdentifier: String? = nil) -> [UInt8] {
        precondition(tableStart == nil && !vectorOpen, "finish with an open table or vector")
        let identifier = fileIdentifier.map { Array($0.utf8) }
        if let identifier { precondition(identifier.count == 4, "a file identifier has exactly 4 bytes") }
        prep(minAlign, 4 + (identifier?.count ?? 0))
        if let identifier { pushBytes(identifier) }
        let value = relative(to: root)
        push(value)
        return Array(storage[head...])
    }
}
