import CoreMLFormat
import FerryIR
import FerryRuntime
import FerryTestSupport
import Foundation
import Testing

/// ConvTranspose → conv_transpose: the pads written and the package read back and run
/// against the source in the reference core (float32).
@Suite struct ConvTransposeTests {
    static func model(_ attributes: [String: Attribute], group: Int = 1) -> Model {
        let weight = Tensor(shape: [4, 2, 3, 3], values: (0..<72).map { Float(sin(Double($0) * 1.3)) })
        let graph = Graph(name: "deconv", nodes: [
            Node(name: "up", opType: "ConvTranspose", inputs: ["x", "w", "b"], outputs: ["y"], attributes: attributes.merging(["group": .int(group)]) { $1 }),
        ], inputs: [ValueInfo(name: "x", type: ValueType(dataType: .float32, dims: [1, 4, 3, 5]))],
           outputs: [ValueInfo(name: "y", type: nil)],
           initializers: ["w": weight, "b": Tensor(shape: [2 * group], values: (0..<(2 * group)).map { Float($0) * 0.1 })])
        return Model(graph: graph, opsets: ["": 13])
    }

    /// The `pad` written and the largest difference of the read-back from the source.
    static func exportAndCompare(_ model: Model) throws -> (pad: [Int], error: Float) {
        let spec = try CoreMLExporter.export(model, options: CoreMLExportOptions(precision: .float32))
        guard case .mlProgram(let program) = spec.body, let main = program.main else { throw CoreMLExportError.preparation("no main") }
        let op = main.operations.first { $0.type == "conv_transpose" }
        let padName = op?.names("pad")?.first
        let pad = main.operations.first { $0.outputs[0].name == padName }?.attribute("val")?.tensor?.integers() ?? []
        let x = Tensor(shape: [1, 4, 3, 5], values: (0..<60).map { Float(cos(Double($0) * 0.9)) })
        let read = try CoreMLImporter.importModel(try CoreMLExporter.package(spec).decode())
        let compared = try ModelComparison.largestDifference(original: model, rewritten: read, feeds: ["x": x])
        #expect(compared.shapesMatch)
        return (pad, compared.largest)
    }

    @Test func paddingOutputPaddingAndGroups() throws {
        let cases: [([String: Attribute], Int, [Int])] = [
            (["strides": .ints([2, 2])], 1, [0, 0, 0, 0]),
            // PyTorch's ConvTranspose2d(k=3, s=2, p=1, output_padding=1): the end pads absorb it.
            (["strides": .ints([2, 2]), "pads": .ints([1, 1, 1, 1]), "output_padding": .ints([1, 1])], 1, [1, 0, 1, 0]),
            (["strides": .ints([2, 2]), "auto_pad": .string("SAME_UPPER")], 2, [0, 1, 0, 1]),
            // Odd totals (height 7 → 6): output_shape and SAME_LOWER cut the extra pixel at the
            // start, SAME_UPPER at the end, as onnxruntime does.
            (["strides": .ints([2, 2]), "output_shape": .ints([6, 9])], 1, [1, 0, 1, 1]),
            (["strides": .ints([2, 2]), "output_shape": .ints([6, 9]), "auto_pad": .string("SAME_UPPER")], 1, [0, 1, 1, 1]),
            (["strides": .ints([2, 2]), "auto_pad": .string("SAME_LOWER")], 2, [1, 0, 1, 0]),
        ]
        for (attributes, group, pad) in cases {
            let model = Self.model(attributes, group: group)
            let result = try Self.exportAndCompare(model)
            #expect(result.pad == pad)
            #expect(result.error <= 1e-5)
        }
    }

    @Test func outputPaddingBeyondTheEndPadIsRefused() {
        #expect {
            _ = try CoreMLExporter.export(Self.model(["strides": .ints([2, 2]), "output_padding": .ints([1, 1])]))
        } throws: { error in
            guard case CoreMLExportError.unsupportedOp(let node, _, let message) = error else { return false }
            return node == "'up' (ConvTranspose)" && message.contains("output_padding")
        }
    }
}
