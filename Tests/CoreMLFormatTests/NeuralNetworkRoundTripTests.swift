import CoreMLFormat
import FerryIR
import FerryRuntime
import Foundation
import Testing

/// Every fixture as a NeuralNetwork `.mlmodel`: export → encode → decode → read back → run in
/// the reference core against the source; plus the weight storages and bit packing.
@Suite struct NeuralNetworkRoundTripTests {
    @Test(arguments: Fixtures.names)
    func roundTripMatchesTheSource(_ name: String) throws {
        let model = try Fixtures.model(name)
        let spec = try NeuralNetworkExporter.export(model)
        let bytes = NNEncoder().encode(spec)
        #expect(NNEncoder().encode(try NeuralNetworkExporter.export(model)) == bytes, "\(name): same model, same bytes")
        let decoded = try NNDecoder().decode(bytes)
        #expect(decoded.layers == spec.layers, "\(name): layers survive encode → decode")
        #expect(decoded.specificationVersion == 4)
        let read = try NeuralNetworkImporter.importModel(decoded)
        let source = try InferenceSession(model: model), candidate = try InferenceSession(model: read)
        for index in 0..<3 {
            let feeds = try Fixtures.evalSample(name, index: index)
            let expected = try source.run(feeds), actual = try candidate.run(feeds)
            #expect(expected.count == actual.count)
            for (e, a) in zip(expected, actual) {
                #expect(e.shape == a.shape && e.dataType == a.dataType, "\(name)")
                if e.dataType.isFloatingPoint {
                    let ev = e.doubles(), av = a.doubles()
                    let scale = max(ev.map(abs).max() ?? 1, 1e-3)
                    let worst = zip(ev, av).map { abs($0 - $1) }.max() ?? 0
                    #expect(worst / scale <= 1e-4, "\(name): worst |diff| \(worst) of scale \(scale)")
                } else {
                    #expect(e.integers() == a.integers(), "\(name)")
                }
            }
        }
    }

    @Test func blobsHaveShortNamesThatReadBackAsTheSources() throws {
        let model = ExportTests.tinyConv()
        let (spec, names) = try NeuralNetworkExporter.exportNamed(model)
        let conv = spec.layers.first { if case .convolution = $0.kind { return true } else { return false } }
        #expect((conv?.name.count ?? 99) <= 4 && conv.map { names[$0.outputs[0]] } == "c")
        // The interface keeps descriptive names and is not in the map.
        #expect(spec.description.inputs.map(\.name) == ["x_in"] && spec.description.outputs.map(\.name) == ["y_0"])
        #expect(!names.values.contains("x.in") && !names.values.contains("y:0"))
        let read = try NeuralNetworkImporter.importModel(try NNDecoder().decode(NNEncoder().encode(spec)), sourceNames: names)
        let values = Set(read.graph.nodes.flatMap(\.outputs))
        #expect(values.contains("c") && values.contains("r"))
        let x = Tensor(shape: [1, 2, 5, 6], values: (0..<60).map { Float($0 % 7) / 3 - 1 })
        let expected = try InferenceSession(model: model).run(["x.in": x])[0].elements(as: Float.self)
        let actual = try InferenceSession(model: read).run(["x.in": x])[0].elements(as: Float.self)
        for (a, e) in zip(actual, expected) { #expect(abs(a - e) <= 1e-5 * max(1, abs(e))) }
    }

    @Test func bitPackingIsMostSignificantBitFirst() throws {
        // coremltools packs [1, 2, 3] as 2-bit values into 0b01_10_11_00.
        let weights = NNWeights.lookupTable(bits: 2, indices: [1, 2, 3], table: [0, 1, 2, 3])
        let layer = NNLayer(name: "c", inputs: [], outputs: ["c"], kind: .loadConstant(shape: [3], data: weights))
        var spec = NeuralNetworkSpec()
        spec.description.outputs = [FeatureDescription(name: "c", dataType: .float32, shape: [3])]
        spec.layers = [layer]
        let bytes = NNEncoder().encode(spec)
        #expect(bytes.windowContains([0b0110_1100]))
        #expect(try NNDecoder().decode(bytes).layers == [layer])
        #expect(weights.floats() == [1, 2, 3])
    }

    @Test func linearWeightsExpandPerChannel() {
        let weights = NNWeights.linear(bits: 8, values: [0, 128, 255, 10], scale: [0.5, 2], bias: [-64, 0])
        #expect(weights.floats() == [-64, 0, 510, 20])
    }

    @Test func aTruncatedModelIsAnErrorNamingTheFile() throws {
        let bytes = NNEncoder().encode(try NeuralNetworkExporter.export(try Fixtures.model("digits_cnn")))
        #expect(throws: CoreMLReadError.self) { try NNDecoder(file: "cut.mlmodel").decode(Array(bytes.prefix(bytes.count / 2))) }
    }
}

extension Array where Element == UInt8 {
    /// Whether `pattern` occurs as a contiguous run.
    func windowContains(_ pattern: [UInt8]) -> Bool {
        guard pattern.count <= count else { return false }
        return (0...(count - pattern.count)).contains { Array(self[$0..<($0 + pattern.count)]) == pattern }
    }
}
