import FerryIR
import NCNNFormat
import Testing

/// The `.param` file is written with short names and without default-valued parameters, as
/// NCNN's own tools write it; the read-back still names values after the source.
@Suite struct NCNNShortNamesTests {
    @Test func leftOutParametersReadBackAsWritten() {
        // pad_top (14) defaults to pad_left (4), pad_bottom (16) to pad_top: a chain.
        let params: [Int: NCNNParamValue] = [0: .int(8), 1: .int(3), 11: .int(3), 2: .int(1), 12: .int(2), 3: .int(1), 13: .int(1),
                                             4: .int(1), 14: .int(1), 15: .int(1), 16: .int(1), 5: .int(0), 6: .int(72), 9: .int(0)]
        let layer = NCNNLayer(type: "Convolution", name: "c", inputs: ["a"], outputs: ["b"], params: params)
        let written = NCNNParamDefaults.omittingDefaults(layer)
        #expect(written.params == [0: .int(8), 1: .int(3), 12: .int(2), 4: .int(1), 6: .int(72)])
        for id in params.keys {
            #expect(NCNNParamDefaults.resolved(id, type: "Convolution", in: written.params) == params[id], "parameter \(id)")
        }
    }

    @Test func aFloatWhereNCNNReadsAnIntIsKept() {
        let layer = NCNNLayer(type: "Softmax", name: "s", inputs: ["a"], outputs: ["b"], params: [0: .float(0)])
        #expect(NCNNParamDefaults.omittingDefaults(layer).params == [0: .float(0)])
    }

    @Test func readBackNamesValuesAfterTheSource() throws {
        let model = NCNNParamTextTests.tinyCNN()
        let exported = try NCNNExporter.export(model)
        let text = String(decoding: exported.paramBytes, as: UTF8.self)
        #expect(!text.contains("logits") && !text.contains("conv"))
        let readBack = try exported.readBack(like: model)
        let values = Set(readBack.graph.nodes.flatMap(\.outputs))
        #expect(values.isSuperset(of: ["r", "g", "logits"]))
        #expect(readBack.graph.nodes.contains { $0.name.hasPrefix("fc/") })
    }

    @Test func anOutputThatReshapesAnotherValueKeepsItsName() throws {
        var model = NCNNParamTextTests.tinyCNN()
        // Drop the Gemm and Softmax: the output is the Flatten, which shares the pooled blob.
        model.graph.nodes.removeLast(2)
        model.graph.nodes[model.graph.nodes.count - 1].outputs = ["flat out"]
        model.graph.outputs = [ValueInfo(name: "flat out", type: ValueType(dataType: .float32, dims: [1, 4]))]
        let exported = try NCNNExporter.export(model)
        #expect(exported.outputs.map(\.blob) == ["flat_out"])
        #expect(exported.param.blobNames.contains("flat_out"))
        let readBack = try exported.readBack(like: model)
        #expect(readBack.graph.outputs.map(\.name) == ["flat out"])
    }
}
