import FerryIR
import Foundation
import Testing
import CoreMLFormat

/// What `ferry inspect` reads from a Core ML package.
@Suite struct CoreMLSummaryTests {
    @Test func inspectSummaryNamesTheStorage() throws {
        var options = CoreMLExportOptions()
        options.compression.paletteBits = 2
        let package = CoreMLExporter.package(try CoreMLExporter.export(WeightCompressionTests.conv(weights: WeightCompressionTests.weights), options: options))
        let summary = try CoreMLSummary.summarize(package)
        #expect(summary.modelType == "mlProgram" && summary.specificationVersion == 7 && summary.opset == "CoreML6")
        #expect(summary.weights["palettized 2-bit"]?.values == 2048)
        #expect(summary.opHistogram["conv"] == 1)
        #expect(summary.inputs.map(\.name) == ["x"] && summary.outputs.map(\.name) == ["y"])
    }

    @Test func aFloat32PackageListsItsInterfaceAndDenseWeights() throws {
        let package = CoreMLExporter.package(try CoreMLExporter.export(ExportTests.tinyConv(), options: CoreMLExportOptions(precision: .float32)))
        let summary = try CoreMLSummary.summarize(package)
        #expect(summary.specificationVersion == 6 && summary.opset == "CoreML5")
        #expect(summary.weights["fp32"]?.values == 72)  // the 4·2·3·3 conv weight; the bias is under 10 values
        #expect(summary.opHistogram == ["conv": 1, "relu": 1, "reduce_mean": 1, "reshape": 1, "identity": 1])
        #expect(summary.inputs.first?.shortDescription == "x.in")
    }

    @Test func notAModelIsAReadError() {
        #expect(throws: CoreMLReadError.self) { try CoreMLSummary.summarize(MLPackage(spec: [0xFF, 0xFF], weights: nil)) }
    }
}
