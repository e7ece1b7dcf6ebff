import CoreMLFormat
import FerryIR
import FerryRuntime
import FerryTestSupport
import Foundation
import Testing

/// Resize and Upsample → NeuralNetwork `upsample` / `resizeBilinear` layers: the layer written,
/// the spec version it needs, the `.mlmodel` encoded, decoded, read back and run against the
/// source, and the refusals.
@Suite struct NNResizeTests {
    /// The layer written (with the spec version) and the read-back's largest difference from the source.
    static func exportAndCompare(_ model: Model) throws -> (kind: NNLayerKind?, version: Int32, error: Float) {
        let spec = try NeuralNetworkExporter.export(model)
        let decoded = try NNDecoder().decode(NNEncoder().encode(spec))
        #expect(decoded.layers == spec.layers)
        let kind = decoded.layers.map(\.kind).first { ["upsample", "resizeBilinear"].contains($0.typeName) }
        let x = Tensor(shape: [1, 2, 4, 5], values: (0..<40).map { Float(sin(Double($0) * 0.7)) })
        let compared = try ModelComparison.largestDifference(original: model, rewritten: try NeuralNetworkImporter.importModel(decoded), feeds: ["x": x])
        #expect(compared.shapesMatch)
        return (kind, decoded.specificationVersion, compared.largest)
    }

    @Test func nearestByIntegerFactorsIsAnUpsample() throws {
        // PyTorch's F.interpolate(scale_factor=2) and opset-9 Upsample.
        let asymmetric: [String: Attribute] = ["mode": .string("nearest"), "coordinate_transformation_mode": .string("asymmetric"),
                                               "nearest_mode": .string("floor")]
        let upsample = Model(graph: Graph(name: "u", nodes: [Node(name: "up", opType: "Upsample", inputs: ["x", "s"], outputs: ["y"])],
                                          inputs: [ValueInfo(name: "x", type: ValueType(dataType: .float32, dims: [1, 2, 4, 5]))],
                                          outputs: [ValueInfo(name: "y", type: nil)], initializers: ["s": Tensor(shape: [4], values: [Float](arrayLiteral: 1, 1, 2, 3))]),
                             opsets: ["": 9])
        for model in [ResizeTests.resize(asymmetric, scales: [1, 1, 2, 2]), upsample] {
            let result = try Self.exportAndCompare(model)
            guard case .upsample(let u)? = result.kind else { Issue.record("no upsample: \(String(describing: result.kind))"); continue }
            #expect(!u.bilinear && u.factors.allSatisfy { $0 >= 2 })
            #expect(result.version == 4)
            #expect(result.error == 0)
        }
    }

    @Test(arguments: [
        ("pytorch_half_pixel", [1, 2, 8, 10], NNLinearUpsampleMode.alignCornersFalse),
        ("align_corners", [1, 2, 8, 15], .alignCornersTrue),
        ("asymmetric", [1, 2, 12, 10], .default),
    ] as [(String, [Int], NNLinearUpsampleMode)])
    func bilinearByIntegerFactorsIsAnUpsampleWithTheGridsMode(_ coordinates: String, _ sizes: [Int], _ mode: NNLinearUpsampleMode) throws {
        let result = try Self.exportAndCompare(ResizeTests.resize(["mode": .string("linear"), "coordinate_transformation_mode": .string(coordinates)],
                                                                  sizes: sizes))
        guard case .upsample(let u)? = result.kind else { Issue.record("no upsample: \(String(describing: result.kind))"); return }
        #expect(u.bilinear && u.linearMode == mode && u.factors == [sizes[2] / 4, sizes[3] / 5])
        #expect(result.version == (mode == .default ? 4 : 5))
        #expect(result.error <= 1e-6)
    }

    @Test(arguments: [("align_corners", NNSamplingMode.strictAlignEndpoints), ("asymmetric", .upsample)] as [(String, NNSamplingMode)])
    func bilinearToOtherSizesIsAResizeBilinear(_ coordinates: String, _ mode: NNSamplingMode) throws {
        let result = try Self.exportAndCompare(ResizeTests.resize(["mode": .string("linear"), "coordinate_transformation_mode": .string(coordinates)],
                                                                  sizes: [1, 2, 7, 3]))
        #expect(result.kind == .resizeBilinear(targetSize: [7, 3], mode: mode))
        #expect(result.error <= 1e-6)
    }

    @Test(arguments: [
        (["mode": .string("nearest")], [1, 2, 6, 7], "nearest_mode 'round_prefer_floor'"),
        (["mode": .string("linear")], [1, 2, 6, 7], "coordinate_transformation_mode 'half_pixel'"),
        (["mode": .string("cubic")], [1, 2, 8, 10], "mode 'cubic'"),
        (["mode": .string("nearest")], [1, 4, 4, 5], "channel axis"),
    ] as [([String: Attribute], [Int], String)])
    func resizesNoLayerSamplesAlikeAreRefused(_ attributes: [String: Attribute], _ sizes: [Int], _ reason: String) {
        #expect {
            _ = try NeuralNetworkExporter.export(ResizeTests.resize(attributes, sizes: sizes))
        } throws: { error in
            guard case CoreMLExportError.unsupportedOp(let node, let op, let message) = error else { return false }
            return node == "'up' (Resize)" && op == "Resize" && message.contains(reason) && message.contains("NeuralNetwork")
        }
    }
}
