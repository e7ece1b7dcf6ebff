import FerryIR
import FerryRuntime
import Foundation
import NCNNFormat
import Testing

/// Golden `.param` text for tiny graphs, and the `.bin` layout NCNN expects.
@Suite struct NCNNParamTextTests {
    /// Conv(3×3, pad 1) → Relu → GlobalAveragePool → Flatten → Gemm → Softmax on a 1×2×4×4 input.
    static func tinyCNN() -> Model {
        var generator = 0.0
        func values(_ count: Int) -> [Float] {
            (0..<count).map { _ in generator += 0.37; return Float(sin(generator)) }
        }
        let graph = Graph(
            name: "tiny",
            nodes: [
                Node(name: "conv", opType: "Conv", inputs: ["x", "w", "b"], outputs: ["c"], attributes: ["pads": .ints([1, 1, 1, 1]), "kernel_shape": .ints([3, 3])]),
                Node(name: "relu", opType: "Relu", inputs: ["c"], outputs: ["r"]),
                Node(name: "gap", opType: "GlobalAveragePool", inputs: ["r"], outputs: ["g"]),
                Node(name: "flat", opType: "Flatten", inputs: ["g"], outputs: ["f"]),
                Node(name: "fc", opType: "Gemm", inputs: ["f", "fw", "fb"], outputs: ["logits"], attributes: ["transB": .int(1)]),
                Node(name: "softmax", opType: "Softmax", inputs: ["logits"], outputs: ["probabilities out"], attributes: ["axis": .int(-1)]),
            ],
            inputs: [ValueInfo(name: "x", type: ValueType(dataType: .float32, dims: [1, 2, 4, 4]))],
            outputs: [ValueInfo(name: "probabilities out", type: ValueType(dataType: .float32, dims: [1, 3]))],
            initializers: ["w": Tensor(shape: [4, 2, 3, 3], values: values(72)), "b": Tensor(shape: [4], values: values(4)),
                           "fw": Tensor(shape: [3, 4], values: values(12)), "fb": Tensor(shape: [3], values: values(3))])
        return Model(graph: graph, opsets: ["": 17])
    }

    @Test func tinyCNNParamText() throws {
        let exported = try NCNNExporter.export(Self.tinyCNN())
        let expected = """
        7767517
        5 5
        Input            0                        0 1 x 0=4 1=4 2=2
        Convolution      1                        1 1 x 0 0=4 1=3 4=1 5=1 6=72 9=1
        Pooling          2                        1 1 0 1 0=1 4=1
        InnerProduct     3                        1 1 1 2 0=3 1=1 2=12
        Softmax          4                        1 1 2 probabilities_out 1=1

        """
        #expect(String(decoding: exported.paramBytes, as: UTF8.self) == expected)
        #expect(exported.outputs.map(\.blob) == ["probabilities_out"])
        #expect(exported.outputs.map(\.shape) == [[3]])
        #expect(exported.inputs.map(\.shape) == [[2, 4, 4]])
    }

    @Test func binLayoutIsFlaggedWeightsThenRawBias() throws {
        let exported = try NCNNExporter.export(Self.tinyCNN())
        // Conv: flag + 72 floats, bias 4 floats; InnerProduct: flag + 12, bias 3.
        #expect(exported.binBytes.count == (1 + 72 + 4 + 1 + 12 + 3) * 4)
        #expect(Array(exported.binBytes[0..<4]) == [0, 0, 0, 0])
    }

    @Test func float16StorageIsTaggedAndAligned() throws {
        let exported = try NCNNExporter.export(Self.tinyCNN(), options: NCNNExportOptions(weights: .float16))
        // Weights that float16 does not hold exactly stay float32: nothing here is exact.
        #expect(exported.binBytes.count == (1 + 72 + 4 + 1 + 12 + 3) * 4)
        var model = Self.tinyCNN()
        for name in ["w", "fw"] {
            let t = model.graph.initializers[name]!
            model.graph.initializers[name] = Tensor(shape: t.shape, values: t.elements(as: Float.self).map { Float(Float16($0)) })
        }
        let half = try NCNNExporter.export(model, options: NCNNExportOptions(weights: .float16))
        // 72 halves = 144 bytes; 12 halves = 24 bytes; each behind the 0x01306B47 tag.
        #expect(half.binBytes.count == 4 + 144 + 16 + 4 + 24 + 12)
        #expect(Array(half.binBytes[0..<4]) == [0x47, 0x6B, 0x30, 0x01])
    }

    @Test func floatsAreWrittenSoNCNNReadsThemBack() {
        for value: Float in [0.5, 1e-5, 1.0 / 6.0, -3.4028235e38, 0.00012345678, 6, 123456789] {
            let text = NCNNParamFile(layers: [NCNNLayer(type: "Clip", name: "c", inputs: ["a"], outputs: ["b"], params: [0: .float(value)])]).text()
            let token = text.split(separator: "\n").last!.split(separator: " ").last!
            let valueText = token.split(separator: "=")[1]
            #expect(valueText.count <= 15)
            #expect(valueText.contains(".") || valueText.contains("e"))
            #expect(Float(String(valueText)) == value)
        }
    }

    @Test func namesAreSanitizedDeterministically() throws {
        let exported = try NCNNExporter.export(Self.tinyCNN())
        let text = String(decoding: exported.paramBytes, as: UTF8.self)
        #expect(!text.contains("probabilities out"))
        let parsed = try NCNNParamFile.parse(text)
        #expect(parsed.layers.count == 5)
    }
}
