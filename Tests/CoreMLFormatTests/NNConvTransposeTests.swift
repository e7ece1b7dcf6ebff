import CoreMLFormat
import FerryIR
import FerryRuntime
import FerryTestSupport
import Foundation
import Testing

/// ConvTranspose → a NeuralNetwork deconvolution: the padding written, the `.mlmodel` read
/// back and run against the source, and the refusals.
@Suite struct NNConvTransposeTests {
    /// The deconvolution written and the read-back's largest difference from the source.
    static func exportAndCompare(_ model: Model) throws -> (layer: NNConvolution?, error: Float) {
        let decoded = try NNDecoder().decode(NNEncoder().encode(try NeuralNetworkExporter.export(model)))
        let layer = decoded.layers.compactMap { if case .convolution(let c) = $0.kind, c.isDeconvolution { return c } else { return nil } }.first
        let x = Tensor(shape: [1, 4, 3, 5], values: (0..<60).map { Float(cos(Double($0) * 0.9)) })
        let compared = try ModelComparison.largestDifference(original: model, rewritten: try NeuralNetworkImporter.importModel(decoded), feeds: ["x": x])
        #expect(compared.shapesMatch)
        return (layer, compared.largest)
    }

    @Test func padsOutputPaddingGroupsAndOddTotals() throws {
        // [top, left, bottom, right] cut from the full scatter (7 × 11 for stride 2, kernel 3).
        let cases: [([String: Attribute], Int, [Int])] = [
            (["strides": .ints([2, 2])], 1, [0, 0, 0, 0]),
            (["strides": .ints([2, 2]), "pads": .ints([1, 1, 1, 1]), "output_padding": .ints([1, 1])], 1, [1, 1, 0, 0]),
            (["strides": .ints([2, 2]), "auto_pad": .string("SAME_UPPER")], 2, [0, 0, 1, 1]),
            (["strides": .ints([2, 2]), "output_shape": .ints([6, 9])], 1, [1, 1, 0, 1]),
            (["strides": .ints([2, 2]), "auto_pad": .string("SAME_LOWER")], 2, [1, 1, 0, 0]),
        ]
        for (attributes, group, pads) in cases {
            let result = try Self.exportAndCompare(ConvTransposeTests.model(attributes, group: group))
            #expect(result.layer?.pads == pads && result.layer?.groups == group && result.layer?.outputShape == [])
            #expect(result.error <= 1e-5)
        }
    }

    @Test(arguments: [
        (["strides": .ints([2, 2]), "output_padding": .ints([1, 1])], "output_padding"),
        (["dilations": .ints([2, 2])], "dilations"),
        (["strides": .ints([2, 2]), "output_shape": .ints([8, 12])], "beyond the full"),
    ] as [([String: Attribute], String)])
    func whatADeconvolutionCannotExpressIsRefused(_ attributes: [String: Attribute], _ reason: String) {
        #expect {
            _ = try NeuralNetworkExporter.export(ConvTransposeTests.model(attributes))
        } throws: { error in
            guard case CoreMLExportError.unsupportedOp(let node, _, let message) = error else { return false }
            return node == "'up' (ConvTranspose)" && message.contains(reason)
        }
    }
}
