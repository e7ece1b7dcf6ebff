import XCTest
import TFLiteFormat

/// Byte-exact snapshots of small buffers. The expected bytes were produced by the FlatBuffers
/// project's own Python builder (`flatbuffers` 25.12) making the same calls in the same order,
/// so they pin our builder to the reference layout: padding, vtable trimming and sharing.
final class FlatBufferBuilderTests: XCTestCase {
    func testTableWithScalarsStringAndVectorMatchesReferenceBuilder() {
        var builder = FlatBufferBuilder(initialCapacity: 16)
        let string = builder.createString("hi")
        let vector = builder.createVector([Int32(1), 2, 3])
        builder.startTable(fieldCount: 5)
        builder.add(0, Int32(7), default: 0)
        builder.add(1, offset: string)
        builder.add(2, offset: vector)
        builder.add(3, UInt8(0), default: 0)   // equal to its default: omitted
        builder.add(4, Int16(-2), default: 0)
        let root = builder.endTable()
        let bytes = builder.finish(root: root, fileIdentifier: "TEST")
        XCTAssertEqual(bytes, [
            0x18, 0x00, 0x00, 0x00, 0x54, 0x45, 0x53, 0x54, 0x00, 0x00, 0x0e, 0x00, 0x14, 0x00, 0x10, 0x00,
            0x0c, 0x00, 0x08, 0x00, 0x00, 0x00, 0x06, 0x00, 0x0e, 0x00, 0x00, 0x00, 0x00, 0x00, 0xfe, 0xff,
            0x0c, 0x00, 0x00, 0x00, 0x18, 0x00, 0x00, 0x00, 0x07, 0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00,
            0x01, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00,
            0x68, 0x69, 0x00, 0x00,
        ])
    }

    func testIdenticalVTablesAreShared() throws {
        var builder = FlatBufferBuilder(initialCapacity: 16)
        var tables: [FlatBufferBuilder.Offset] = []
        for value in [Int32(5), 6] {
            builder.startTable(fieldCount: 2)
            builder.add(0, value, default: 0)
            builder.add(1, true, default: false)
            tables.append(builder.endTable())
        }
        let vector = builder.createVector(offsets: tables)
        builder.startTable(fieldCount: 1)
        builder.add(0, offset: vector)
        let bytes = builder.finish(root: builder.endTable())
        XCTAssertEqual(bytes, [
            0x0c, 0x00, 0x00, 0x00, 0x00, 0x00, 0x06, 0x00, 0x08, 0x00, 0x04, 0x00, 0x06, 0x00, 0x00, 0x00,
            0x04, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x1c, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00,
            0xf4, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x01, 0x06, 0x00, 0x00, 0x00, 0x08, 0x00, 0x0c, 0x00,
            0x08, 0x00, 0x07, 0x00, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x05, 0x00, 0x00, 0x00,
        ])
        // The second table's soffset is negative: it points back to the first table's vtable.
        let reader = FlatBufferReader(bytes: bytes)
        let items = try reader.rootTable().tables(0)
        XCTAssertEqual(try items.map { try $0.scalar(0, default: Int32(0)) }, [5, 6])
        XCTAssertEqual(try items.map { try $0.bool(1, default: false) }, [true, true])
        XCTAssertEqual(items[0].vtable, items[1].vtable)
    }

    func testForcedAlignmentOfByteVectorMatchesReferenceBuilder() throws {
        var builder = FlatBufferBuilder(initialCapacity: 16)
        let data: [UInt8] = [1, 2, 3, 4, 5]
        let vector = data.withUnsafeBytes { builder.createVector(bytes: $0, alignment: 16) }
        builder.startTable(fieldCount: 2)
        builder.add(0, offset: vector)
        builder.add(1, Float(1.5), default: 0)
        let bytes = builder.finish(root: builder.endTable(), fileIdentifier: "TFL3")
        XCTAssertEqual(bytes, [
            0x10, 0x00, 0x00, 0x00, 0x54, 0x46, 0x4c, 0x33, 0x08, 0x00, 0x0c, 0x00, 0x08, 0x00, 0x04, 0x00,
            0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0xc0, 0x3f, 0x04, 0x00, 0x00, 0x00, 0x05, 0x00, 0x00, 0x00,
            0x01, 0x02, 0x03, 0x04, 0x05, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        ])
    }

    func testForcedAlignmentHoldsWhateverPrecedesTheVector() throws {
        // Vary what is written before and after so the padding needed changes every time.
        for before in 0..<20 {
            var builder = FlatBufferBuilder(initialCapacity: 16)
            let filler = builder.createVector((0..<before).map { UInt8($0) })
            let name = builder.createString(String(repeating: "x", count: before % 7))
            let payload = (0..<(before * 3 + 1)).map { UInt8(truncatingIfNeeded: $0 * 7) }
            let data = payload.withUnsafeBytes { builder.createVector(bytes: $0, alignment: 16) }
            builder.startTable(fieldCount: 3)
            builder.add(0, offset: filler)
            builder.add(1, offset: data)
            builder.add(2, offset: name)
            builder.add(0 + 0, offset: filler)
            let bytes = builder.finish(root: builder.endTable(), fileIdentifier: "TFL3")
            XCTAssertEqual(bytes.count % 16, 0)
            let table = try FlatBufferReader(bytes: bytes).rootTable()
            let vector = try XCTUnwrap(table.vector(1, elementSize: 1))
            XCTAssertEqual(vector.start % 16, 0, "data starts at \(vector.start) with \(before) filler bytes")
            XCTAssertEqual(Array(vector.bytes), payload)
            XCTAssertEqual(try table.string(2), String(repeating: "x", count: before % 7))
        }
    }

    func testScalarsAreAlignedToTheirWidth() throws {
        var builder = FlatBufferBuilder(initialCapacity: 16)
        builder.startTable(fieldCount: 4)
        builder.add(0, UInt8(1), default: 0)
        builder.add(1, Int64(-3), default: 0)
        builder.add(2, UInt16(9), default: 0)
        builder.add(3, Int32(11), default: 0)
        let bytes = builder.finish(root: builder.endTable())
        XCTAssertEqual(bytes.count % 8, 0)
        let table = try FlatBufferReader(bytes: bytes).rootTable()
        let position = try XCTUnwrap(table.fieldPosition(1, width: 8))
        XCTAssertEqual(position % 8, 0)
        XCTAssertEqual(try table.scalar(0, default: UInt8(0)), 1)
        XCTAssertEqual(try table.scalar(1, default: Int64(0)), -3)
        XCTAssertEqual(try table.scalar(2, default: UInt16(0)), 9)
        XCTAssertEqual(try table.scalar(3, default: Int32(0)), 11)
    }

    func testDefaultsAreOmittedAndReadBack() throws {
        var builder = FlatBufferBuilder(initialCapacity: 16)
        builder.startTable(fieldCount: 3)
        builder.add(0, Int32(1), default: 1)
        builder.add(1, Float(0), default: 0)
        builder.add(2, Int32(-1), default: -1)
        let bytes = builder.finish(root: builder.endTable())
        let table = try FlatBufferReader(bytes: bytes).rootTable()
        XCTAssertFalse(try table.has(0))
        XCTAssertFalse(try table.has(2))
        XCTAssertEqual(try table.scalar(0, default: Int32(1)), 1)
        XCTAssertEqual(try table.scalar(2, default: Int32(-1)), -1)
        // Four bytes root offset, a 4-byte vtable with no fields, and the 4-byte table itself.
        XCTAssertEqual(bytes.count, 12)
    }

    func testSameCallsGiveSameBytesAcrossGrowth() {
        func build(capacity: Int) -> [UInt8] {
            var builder = FlatBufferBuilder(initialCapacity: capacity)
            var items: [FlatBufferBuilder.Offset] = []
            for i in 0..<50 {
                let name = builder.createString("tensor/\(i)@:x")
                let dims = builder.createVector((0..<(i % 5)).map { Int32($0 + i) })
                builder.startTable(fieldCount: 3)
                builder.add(0, offset: dims)
                builder.add(1, offset: name)
                builder.add(2, Int8(i % 3), default: 0)
                items.append(builder.endTable())
            }
            let vector = builder.createVector(offsets: items)
            builder.startTable(fieldCount: 1)
            builder.add(0, offset: vector)
            return builder.finish(root: builder.endTable(), fileIdentifier: "TFL3")
        }
        XCTAssertEqual(build(capacity: 16), build(capacity: 1 << 16))
    }
}
