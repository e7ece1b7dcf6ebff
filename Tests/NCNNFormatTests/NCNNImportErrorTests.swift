import FerryIR
import Foundation
import NCNNFormat
import Testing

/// Bad `.param`/`.bin` input gets an error naming the file and line or layer (Ferry's files
/// name layers by their index: conv is '1', fc '3', softmax '4').
@Suite struct NCNNImportErrorTests {
    static func exported() throws -> NCNNExport { try NCNNExporter.export(NCNNParamTextTests.tinyCNN()) }

    @Test func truncatedBinNamesTheLayer() throws {
        let e = try Self.exported()
        #expect(throws: NCNNImportError.truncatedWeights(file: "model.bin", layer: "3", needed: e.binBytes.count, available: e.binBytes.count - 5)) {
            _ = try NCNNImporter.importModel(param: e.paramBytes, bin: Array(e.binBytes.dropLast(5)))
        }
    }

    @Test func trailingBytesAreRefused() throws {
        let e = try Self.exported()
        #expect(throws: NCNNImportError.trailingWeights(file: "model.bin", bytes: 4)) {
            _ = try NCNNImporter.importModel(param: e.paramBytes, bin: e.binBytes + [0, 0, 0, 0])
        }
    }

    @Test func unknownLayerIsNamed() throws {
        let e = try Self.exported()
        let text = String(decoding: e.paramBytes, as: UTF8.self).replacingOccurrences(of: "Softmax         ", with: "Swish           ")
        #expect(throws: NCNNImportError.unknownLayer(file: "model.param", layer: "4", type: "Swish")) {
            _ = try NCNNImporter.importModel(param: Array(text.utf8), bin: e.binBytes)
        }
    }

    @Test func wrongBlobCountIsRefused() throws {
        let e = try Self.exported()
        let text = String(decoding: e.paramBytes, as: UTF8.self).replacingOccurrences(of: "\n5 5\n", with: "\n5 7\n")
        #expect(throws: NCNNImportError.countMismatch(file: "model.param", what: "blob", declared: 7, found: 5)) {
            _ = try NCNNImporter.importModel(param: Array(text.utf8), bin: e.binBytes)
        }
    }

    @Test func wrongLayerCountIsRefused() throws {
        let e = try Self.exported()
        let text = String(decoding: e.paramBytes, as: UTF8.self).replacingOccurrences(of: "\n5 5\n", with: "\n6 5\n")
        #expect(throws: NCNNImportError.countMismatch(file: "model.param", what: "layer", declared: 6, found: 5)) {
            _ = try NCNNImporter.importModel(param: Array(text.utf8), bin: e.binBytes)
        }
    }

    @Test func badMagicAndUndefinedBlobs() throws {
        let e = try Self.exported()
        let text = String(decoding: e.paramBytes, as: UTF8.self)
        #expect(throws: NCNNImportError.self) {
            _ = try NCNNImporter.importModel(param: Array(text.replacingOccurrences(of: "7767517", with: "7767516").utf8), bin: e.binBytes)
        }
        let dangling = text.replacingOccurrences(of: "1 1 1 2 0=3", with: "1 1 nowhere 2 0=3").replacingOccurrences(of: "\n5 5\n", with: "\n5 5\n")
        #expect(throws: NCNNImportError.undefinedBlob(file: "model.param", layer: "3", blob: "nowhere")) {
            _ = try NCNNImporter.importModel(param: Array(dangling.utf8), bin: e.binBytes)
        }
    }

    @Test func unknownWeightTagIsNamed() throws {
        let e = try Self.exported()
        var bin = e.binBytes
        bin[0] = 0x12; bin[1] = 0x34
        #expect(throws: NCNNImportError.unsupportedWeightTag(file: "model.bin", layer: "1", tag: 0x3412)) {
            _ = try NCNNImporter.importModel(param: e.paramBytes, bin: bin)
        }
    }
}
