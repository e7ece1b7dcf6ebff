import FerryIR
import FerryRuntime
import FerryTestSupport
import Foundation
import NCNNFormat
import Testing

/// ConvTranspose → Deconvolution / DeconvolutionDepthWise: the written line and the read-back
/// run against the source in the reference core.
@Suite struct ConvTransposeTests {
    /// ConvTranspose of a 1×4×3×5 input (weights [4, out/group, k, k]) followed by a Relu.
    static func model(_ attributes: [String: Attribute], outPerGroup: Int, kernel: Int, bias: Bool = true) -> Model {
        let group = { if case .int(let g)? = attributes["group"] { return g } else { return 1 } }()
        let weight = Tensor(shape: [4, outPerGroup, kernel, kernel], values: (0..<(4 * outPerGroup * kernel * kernel)).map { Float(sin(Double($0) * 1.3)) })
        var initializers = ["w": weight]
        var inputs = ["x", "w"]
        if bias {
            initializers["b"] = Tensor(shape: [outPerGroup * group], values: (0..<(outPerGroup * group)).map { Float($0) * 0.1 - 0.2 })
            inputs.append("b")
        }
        let graph = Graph(name: "deconv", nodes: [
            Node(name: "up", opType: "ConvTranspose", inputs: inputs, outputs: ["t"], attributes: attributes),
            Node(name: "relu", opType: "Relu", inputs: ["t"], outputs: ["y"]),
        ], inputs: [ValueInfo(name: "x", type: ValueType(dataType: .float32, dims: [1, 4, 3, 5]))],
           outputs: [ValueInfo(name: "y", type: nil)], initializers: initializers)
        return Model(graph: graph, opsets: ["": 13])
    }

    static func exportAndCompare(_ model: Model) throws -> (line: String, error: Float) {
        let exported = try NCNNExporter.export(model)
        let line = String(decoding: exported.paramBytes, as: UTF8.self).split(separator: "\n").first { $0.hasPrefix("Deconvolution") }.map(String.init) ?? ""
        let x = Tensor(shape: [1, 4, 3, 5], values: (0..<60).map { Float(cos(Double($0) * 0.9)) })
        let compared = try ModelComparison.largestDifference(original: model, rewritten: try exported.readBack(like: model), feeds: ["x": x])
        #expect(compared.shapesMatch)
        return (line, compared.largest)
    }

    @Test func strideTwoKernelTwoAsPaddleOCRsDecoder() throws {
        let (line, error) = try Self.exportAndCompare(Self.model(["strides": .ints([2, 2]), "kernel_shape": .ints([2, 2])], outPerGroup: 3, kernel: 2))
        #expect(line.hasSuffix("0=3 1=2 3=2 5=1 6=48 9=1"))
        #expect(error <= 1e-5)
    }

    @Test func pytorchsPaddingAndOutputPadding() throws {
        let (line, error) = try Self.exportAndCompare(Self.model(["strides": .ints([2, 2]), "pads": .ints([1, 1, 1, 1]),
                                                                  "output_padding": .ints([1, 1])], outPerGroup: 2, kernel: 3))
        #expect(line.hasSuffix("0=2 1=3 3=2 4=1 5=1 6=72 9=1 18=1"))
        #expect(error <= 1e-5)
    }

    @Test func groupedAndDilatedWithoutBias() throws {
        let (line, error) = try Self.exportAndCompare(Self.model(["group": .int(2), "dilations": .ints([2, 1]), "pads": .ints([0, 1, 1, 0])],
                                                                 outPerGroup: 3, kernel: 3, bias: false))
        #expect(line.hasPrefix("DeconvolutionDepthWise"))
        #expect(error <= 1e-5)
    }

    /// An odd total pad from output_shape loses its extra pixel at the start (as onnxruntime
    /// places it), from SAME_UPPER at the end: NCNN takes both as explicit pads.
    @Test func oddPadsFromOutputShapeAndAutoPadBecomeExplicitPads() throws {
        // Height 7 cut to 6, width 11 to 9 (output_shape) or 10 (auto_pad): [top, left, bottom, right].
        let cases: [([String: Attribute], [Int])] = [
            (["strides": .ints([2, 2]), "output_shape": .ints([6, 9])], [1, 1, 0, 1]),
            (["strides": .ints([2, 2]), "output_shape": .ints([6, 9]), "auto_pad": .string("SAME_UPPER")], [0, 1, 1, 1]),
            (["strides": .ints([2, 2]), "auto_pad": .string("SAME_LOWER")], [1, 1, 0, 0]),
            // One beyond the full scatter: no pads, a zero row and column from output padding.
            (["strides": .ints([2, 2]), "output_shape": .ints([8, 12])], [0, 0, 0, 0]),
        ]
        for (attributes, pads) in cases {
            let model = Self.model(attributes, outPerGroup: 2, kernel: 3)
            let layer = try NCNNExporter.export(model).param.layers.first { $0.type == "Deconvolution" }
            let written = [14, 4, 16, 15].map { id in layer.flatMap { NCNNParamDefaults.resolved(id, type: $0.type, in: $0.params)?.intValue } }
            #expect(written == pads)
            #expect(try Self.exportAndCompare(model).error <= 1e-5)
        }
    }

    @Test func outputShapeAndSameUpperBecomeExplicitPads() throws {
        for attributes: [String: Attribute] in [["strides": .ints([2, 2]), "output_shape": .ints([7, 9])],
                                                ["strides": .ints([2, 2]), "auto_pad": .string("SAME_UPPER")]] {
            let (_, error) = try Self.exportAndCompare(Self.model(attributes, outPerGroup: 2, kernel: 3))
            #expect(error <= 1e-5)
        }
    }
}
