import FerryIR
import Testing
import CoreMLFormat

@Suite struct BlobStorageTests {
    /// Golden bytes of MILBlob storage v2: 64-byte header, then metadata + data per blob at
    /// 64-byte aligned offsets, little-endian, sentinel 0xDEADBEEF.
    @Test func layoutMatchesTheStorageFormat() throws {
        var writer = BlobStorageWriter()
        let first = writer.append(Tensor(shape: [3], values: [Float16(1), Float16(-2), Float16(0.5)]))
        let second = writer.append(Tensor(shape: [2], values: [Int8(-1), Int8(7)]))
        #expect(first == 64)
        #expect(second == 192)
        let bytes = writer.bytes
        #expect(bytes.count == 192 + 64 + 2)
        #expect(Array(bytes[0..<8]) == [2, 0, 0, 0, 2, 0, 0, 0])  // count 2, version 2
        #expect(bytes[8..<64].allSatisfy { $0 == 0 })
        #expect(Array(bytes[64..<88]) == [0xEF, 0xBE, 0xAD, 0xDE, 1, 0, 0, 0, 6, 0, 0, 0, 0, 0, 0, 0, 128, 0, 0, 0, 0, 0, 0, 0])
        #expect(Array(bytes[128..<134]) == [0x00, 0x3C, 0x00, 0xC0, 0x00, 0x38])  // fp16 1, -2, 0.5
        #expect(bytes[134..<192].allSatisfy { $0 == 0 })
        #expect(Array(bytes[192..<216]) == [0xEF, 0xBE, 0xAD, 0xDE, 4, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0])
        #expect(Array(bytes[256...]) == [0xFF, 7])
        let reader = try BlobStorageReader(bytes: bytes)
        #expect(reader.count == 2)
        #expect(try reader.tensor(at: 192, type: .int8, shape: [2]).elements(as: Int8.self) == [-1, 7])
    }

    @Test func truncatedFileIsAnErrorNamingTheOffset() throws {
        var writer = BlobStorageWriter()
        _ = writer.append(Tensor(shape: [40], values: [Float](repeating: 1, count: 40)))
        let reader = try BlobStorageReader(bytes: Array(writer.bytes.dropLast(10)))
        #expect(throws: CoreMLReadError.self) { try reader.tensor(at: 64, type: .float32, shape: [40]) }
        do {
            _ = try reader.tensor(at: 64, type: .float32, shape: [40])
        } catch {
            #expect("\(error)".contains("offset 64") && "\(error)".contains("truncated"))
        }
        #expect(throws: CoreMLReadError.self) { try BlobStorageReader(bytes: [2, 0, 0, 0]) }
    }

    @Test func wrongOffsetTypeOrSizeIsAnError() throws {
        var writer = BlobStorageWriter()
        _ = writer.append(Tensor(shape: [16], values: [Float](repeating: 1, count: 16)))
        let reader = try BlobStorageReader(bytes: writer.bytes)
        for offset: UInt64 in [0, 65, 128, 4096] {
            #expect(throws: CoreMLReadError.self) { try reader.tensor(at: offset, type: .float32, shape: [16]) }
        }
        #expect(throws: CoreMLReadError.self) { try reader.tensor(at: 64, type: .float16, shape: [16]) }
        #expect(throws: CoreMLReadError.self) { try reader.tensor(at: 64, type: .float32, shape: [17]) }
    }
}
