import FerryIR
import FerryRuntime
import Foundation
import Testing
import CoreMLFormat

/// Palettized (constexpr_lut_to_dense) and sparse (constexpr_sparse_to_dense) weights: written,
/// read back and run with the stored numbers.
@Suite struct WeightCompressionTests {
    /// A Conv whose weight (8·16·4·4 = 2048 values) reaches the compression threshold.
    static func conv(weights: [Float]) -> Model {
        let graph = Graph(name: "c", nodes: [
            Node(name: "conv", opType: "Conv", inputs: ["x", "w"], outputs: ["y"], attributes: [:]),
        ], inputs: [ValueInfo(name: "x", type: ValueType(dataType: .float32, dims: [1, 16, 6, 6]))],
           outputs: [ValueInfo(name: "y", type: nil)], initializers: ["w": Tensor(shape: [8, 16, 4, 4], values: weights)])
        return Model(graph: graph, opsets: ["": 17])
    }

    static let weights: [Float] = (0..<2048).map { Float(sin(Double($0) * 0.37)) * 0.5 }

    @Test func bitPackingIsLSBFirstAcrossBytes() {
        // MIL packs 2-bit indices [1, 2, 3, 0, 1] as 0b00_11_10_01, 0b01.
        #expect(BitPacking.pack([1, 2, 3, 0, 1], bits: 2) == [0b0011_1001, 0b01])
        #expect(BitPacking.unpack([0b0011_1001, 0b01], bits: 2, count: 5) == [1, 2, 3, 0, 1])
        let values = (0..<37).map { ($0 * 29) % 64 }
        #expect(BitPacking.unpack(BitPacking.pack(values, bits: 6), bits: 6, count: 37) == values)
    }

    @Test func kMeansIsDeterministicAndFitsTheClusters() {
        let values: [Float] = [0, 0.1, 0.05, 10, 10.2, 9.9, -5, -5.1]
        let (lut, indices) = Palettizer.palettize(values, bits: 2)
        #expect(lut.count == 4)
        #expect(lut == lut.sorted())
        let again = Palettizer.palettize(values, bits: 2)
        #expect(again.lut == lut && again.indices == indices)
        // Three clear clusters are found; every value is within 0.2 of its centroid.
        for (value, index) in zip(values, indices) { #expect(abs(lut[index] - value) <= 0.2) }
    }

    @Test func palettizedConvRoundTripsThroughTheLUTOp() throws {
        var options = CoreMLExportOptions(precision: .float32)
        options.compression.paletteBits = 4
        let spec = try CoreMLExporter.export(Self.conv(weights: Self.weights), options: options)
        guard case .mlProgram(let program) = spec.body, let main = program.main else { Issue.record("no main"); return }
        #expect(main.operations.contains { $0.type == "constexpr_lut_to_dense" })
        #expect(spec.specificationVersion == 7 && main.opset == "CoreML6")
        let lut = main.operations.first { $0.type == "constexpr_lut_to_dense" }!
        #expect(lut.attribute("indices")?.tensor?.count == 1024)  // 2048 4-bit indices
        #expect(lut.attribute("lut")?.tensor?.shape == [16])
        let package = CoreMLExporter.package(spec)
        let read = try CoreMLImporter.importModel(try package.decode())
        // The read-back weight holds 16 distinct values, each within the k-means error.
        let weight = try #require(read.graph.initializers.values.first { $0.count == 2048 })
        let dense = weight.elements(as: Float.self)
        #expect(Set(dense).count <= 16)
        for (a, e) in zip(dense, Self.weights) { #expect(abs(a - e) < 0.1) }
        let dense32 = CoreMLExporter.package(try CoreMLExporter.export(Self.conv(weights: Self.weights), options: CoreMLExportOptions(precision: .float32)))
        #expect(package.weights!.count * 6 < dense32.weights!.count)
    }

    @Test func sparseWeightIsStoredWhenSmallerAndExactlyRestored() throws {
        let pruned = Self.weights.enumerated().map { $0.offset % 4 < 3 ? 0 : $0.element }  // 75% zeros
        var options = CoreMLExportOptions(precision: .float16)
        options.compression.sparse = true
        let spec = try CoreMLExporter.export(Self.conv(weights: pruned), options: options)
        guard case .mlProgram(let program) = spec.body, let main = program.main else { Issue.record("no main"); return }
        let sparse = try #require(main.operations.first { $0.type == "constexpr_sparse_to_dense" })
        #expect(sparse.attribute("nonzero_data")?.tensor?.count == 512)
        #expect(sparse.attribute("mask")?.tensor?.count == 256)
        let read = try CoreMLImporter.importModel(try CoreMLExporter.package(spec).decode())
        let weight = try #require(read.graph.initializers.values.first { $0.count == 2048 })
        #expect(weight.elements(as: Float.self) == pruned.map { Float(Float16($0)) })
        // Dense weights gain nothing from a mask: they stay `const`.
        let dense = try CoreMLExporter.export(Self.conv(weights: Self.weights), options: options)
        guard case .mlProgram(let denseProgram) = dense.body else { return }
        #expect(!denseProgram.main!.operations.contains { $0.type == "constexpr_sparse_to_dense" })
    }

    @Test func badLUTSizesAreReadErrors() throws {
        var options = CoreMLExportOptions(precision: .float32)
        options.compression.paletteBits = 4
        var spec = try CoreMLExporter.export(Self.conv(weights: Self.weights), options: options)
        guard case .mlProgram(var program) = spec.body else { return }
        let index = program.functions[0].function.operations.firstIndex { $0.type == "constexpr_lut_to_dense" }!
        var op = program.functions[0].function.operations[index]
        let at = op.attributes.firstIndex { $0.name == "indices" }!
        op.attributes[at].value = .tensor(Tensor(shape: [1000], values: [UInt8](repeating: 0, count: 1000)))
        program.functions[0].function.operations[index] = op
        spec.body = .mlProgram(program)
        #expect(throws: CoreMLReadError.self) { try CoreMLImporter.importModel(try CoreMLExporter.package(spec).decode()) }
    }
}
