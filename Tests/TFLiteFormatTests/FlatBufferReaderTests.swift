import XCTest
import TFLiteFormat

final class FlatBufferReaderTests: XCTestCase {
    private func sample() -> [UInt8] {
        var builder = FlatBufferBuilder(initialCapacity: 16)
        let string = builder.createString("name/with:odd@chars")
        let vector = builder.createVector([Int32(4), -5, 6])
        builder.startTable(fieldCount: 3)
        builder.add(0, offset: string)
        builder.add(1, offset: vector)
        builder.add(2, UInt32(77), default: 0)
        return builder.finish(root: builder.endTable(), fileIdentifier: "TFL3")
    }

    func testReadsWhatTheBuilderWrote() throws {
        let reader = FlatBufferReader(bytes: sample())
        XCTAssertEqual(reader.fileIdentifier, "TFL3")
        let root = try reader.rootTable()
        XCTAssertEqual(try root.string(0), "name/with:odd@chars")
        XCTAssertEqual(try root.scalars(1, as: Int32.self), [4, -5, 6])
        XCTAssertEqual(try root.scalar(2, default: UInt32(0)), 77)
        XCTAssertNil(try root.string(5))
    }

    /// A cut buffer either throws or, when only trailing padding was cut, reads the same values.
    func testEveryTruncationThrowsOrReadsConsistently() throws {
        let bytes = sample()
        func contents(_ reader: FlatBufferReader) throws -> String {
            let root = try reader.rootTable()
            return "\(try root.string(0) ?? "") \(try root.scalars(1, as: Int32.self)) \(try root.scalar(2, default: UInt32(0)))"
        }
        let expected = try contents(FlatBufferReader(bytes: bytes))
        var refused = 0
        for length in 0..<bytes.count {
            do {
                let got = try contents(FlatBufferReader(bytes: Array(bytes[..<length])))
                XCTAssertEqual(got, expected, "cut to \(length)")
            } catch {
                refused += 1
            }
        }
        // Only the padding after the last string may go unnoticed.
        XCTAssertGreaterThanOrEqual(refused, bytes.count - 3)
    }

    func testHostileOffsetsThrow() {
        var bytes = sample()
        bytes[0] = 0xff; bytes[1] = 0xff; bytes[2] = 0xff; bytes[3] = 0x7f
        XCTAssertThrowsError(try FlatBufferReader(bytes: bytes).rootTable()) { error in
            guard case FlatBufferError.outOfBounds = error else { return XCTFail("\(error)") }
        }
        // A vector claiming four billion elements.
        var vector = sample()
        let root = try! FlatBufferReader(bytes: vector).rootTable()
        let at = try! root.vector(1, elementSize: 4)!.start - 4
        vector[at] = 0xff; vector[at + 1] = 0xff; vector[at + 2] = 0xff; vector[at + 3] = 0xff
        XCTAssertThrowsError(try FlatBufferReader(bytes: vector).rootTable().scalars(1, as: Int32.self))
        // A string that is not UTF-8.
        var string = sample()
        let text = try! FlatBufferReader(bytes: string).rootTable().fieldPosition(0, width: 4)!
        let stringStart = text + Int(string[text]) + 4
        string[stringStart] = 0xff
        XCTAssertThrowsError(try FlatBufferReader(bytes: string).rootTable().string(0)) { error in
            XCTAssertEqual(error as? FlatBufferError, .invalidUTF8(offset: stringStart - 4))
        }
    }
}
