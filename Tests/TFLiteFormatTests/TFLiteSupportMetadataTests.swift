import FerryIR
import Foundation
import TFLiteFormat
import Testing

/// Support-library metadata: the flatbuffer reads back as written, the populated model keeps its
/// graph and reads back the same, the appended zip holds the files, bad declarations are errors.
@Suite struct TFLiteSupportMetadataTests {
    static func sample() -> TFLiteSupportMetadata {
        var metadata = TFLiteSupportMetadata()
        metadata.name = "m"
        metadata.author = "a"
        metadata.license = "MIT"
        metadata.subgraphName = "serving_default"
        var input = TFLiteSupportMetadata.Tensor(name: "image")
        input.content = .image(grayscale: false, width: 4, height: 2)
        input.normalization = ([1, 2, 3], [4, 5, 6])
        input.min = [-0.25]
        input.max = [63.5]
        var output = TFLiteSupportMetadata.Tensor(name: "probs")
        output.associatedFiles = [.init(name: "labels.txt", description: "d", type: .tensorAxisLabels)]
        metadata.inputs = [input]
        metadata.outputs = [output]
        return metadata
    }

    @Test func flatbufferRoundTrips() throws {
        let metadata = Self.sample()
        let bytes = metadata.flatbuffer()
        #expect(Array(bytes[4..<8]) == Array("M001".utf8))
        #expect(try TFLiteSupportMetadata(flatbuffer: bytes) == metadata)
        #expect(metadata.flatbuffer() == bytes)
    }

    @Test func populatedModelKeepsItsGraphAndCarriesTheFiles() throws {
        let model = try Fixtures.model("keras_digits")
        let plain = try TFLiteExporter.export(model)
        let parsed = try TFLiteReader.read(plain)
        var options = TFLiteMetadataOptions()
        options.labels = (0..<10).map { "class \($0)" }
        options.mean = [127.5]
        options.std = [127.5]
        let metadata = try TFLiteSupportMetadata(model: parsed, options: options)
        let labels = Array(options.labels!.map { $0 + "\n" }.joined().utf8)
        let file = try TFLiteMetadataPopulator.populate(plain, metadata: metadata, files: [("labels.txt", labels)])
        let reread = try TFLiteReader.read(file)
        #expect(reread.subgraphs == parsed.subgraphs && reread.operatorCodes == parsed.operatorCodes)
        #expect(reread.metadata.filter { $0.name == TFLiteSupportMetadata.fieldName }.count == 1)
        let read = try #require(try TFLiteMetadataPopulator.read(file))
        #expect(read.metadata == metadata)
        #expect(read.files.map(\.name) == ["labels.txt"] && read.files.first?.bytes == labels)
        #expect(read.metadata.inputs.first?.content == .image(grayscale: true, width: 8, height: 8))
        #expect(read.metadata.inputs.first?.min == [-1] && read.metadata.inputs.first?.max == [1])
        // Populating again replaces the entry rather than adding a second one.
        let twice = try TFLiteMetadataPopulator.populate(Array(file.prefix(file.count - ZipTail.length(file))), metadata: metadata, files: [])
        #expect(try TFLiteReader.read(twice).metadata.filter { $0.name == TFLiteSupportMetadata.fieldName }.count == 1)
    }

    @Test func wrongDeclarationsNameTheFlag() throws {
        let parsed = try TFLiteReader.read(try TFLiteExporter.export(try Fixtures.model("keras_digits")))
        var options = TFLiteMetadataOptions()
        options.labels = ["a", "b"]
        #expect(throws: TFLiteMetadataError.self) { try TFLiteSupportMetadata(model: parsed, options: options) }
        options.labels = nil
        options.mean = [1, 2]
        options.std = [1]
        #expect(throws: TFLiteMetadataError.self) { try TFLiteSupportMetadata(model: parsed, options: options) }
        options.normalizedInput = "nope"
        options.mean = [1]
        #expect(throws: TFLiteMetadataError.self) { try TFLiteSupportMetadata(model: parsed, options: options) }
    }
}

/// The byte length of the stored zip at the end of a populated file (end record → start of the
/// first local header), so a test can strip it.
enum ZipTail {
    static func length(_ bytes: [UInt8]) -> Int {
        func u32(_ at: Int) -> Int { Int(bytes[at]) | Int(bytes[at + 1]) << 8 | Int(bytes[at + 2]) << 16 | Int(bytes[at + 3]) << 24 }
        guard let end = stride(from: bytes.count - 22, through: 0, by: -1).first(where: { u32($0) == 0x0605_4B50 }) else { return 0 }
        let centralStart = u32(end + 16)
        let firstLocal = u32(centralStart + 42)
        return bytes.count - firstLocal
    }
}
