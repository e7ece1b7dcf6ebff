import FerryIR
import FerryRuntime
import FerryTestSupport
import Foundation
import NCNNFormat
import Testing

/// Resize → Interp on one-node graphs in the modes real exports use: the written layer, the
/// read-back run against the source in the reference core, and the refusals (node named).
@Suite struct ResizeTests {
    static func resize(_ attributes: [String: Attribute], height: Int = 4, width: Int = 5, scales: [Float]? = nil, sizes: [Int]? = nil) -> Model {
        TestModels.resize(attributes, height: height, width: width, scales: scales, sizes: sizes)
    }

    static let nearestFloor: [String: Attribute] = ["mode": .string("nearest"), "coordinate_transformation_mode": .string("asymmetric"),
                                                    "nearest_mode": .string("floor")]

    /// The Interp line of the export, and the read-back's largest difference from the source.
    static func exportAndCompare(_ model: Model) throws -> (line: String, error: Float) {
        let exported = try NCNNExporter.export(model)
        let text = String(decoding: exported.paramBytes, as: UTF8.self)
        let line = text.split(separator: "\n").first { $0.hasPrefix("Interp") }.map(String.init) ?? ""
        let shape = model.graph.inputs[0].type!.staticShape!
        let x = Tensor(shape: shape, values: (0..<shape.reduce(1, *)).map { Float(sin(Double($0) * 0.7)) })
        let compared = try ModelComparison.largestDifference(original: model, rewritten: try exported.readBack(like: model), feeds: ["x": x])
        return (line, compared.largest)
    }

    @Test func pytorchNearestByTwoIsInterpNearestAtTheOutputSize() throws {
        let (line, error) = try Self.exportAndCompare(Self.resize(Self.nearestFloor, scales: [1, 1, 2, 2]))
        #expect(line.hasSuffix("0=1 3=8 4=10"))
        #expect(error == 0)
    }

    @Test func halfPixelNearestAtAnIntegerFactorTakesFloorsPixels() throws {
        let (line, error) = try Self.exportAndCompare(Self.resize(["mode": .string("nearest")], scales: [1, 1, 3, 2]))
        #expect(line.hasSuffix("0=1 3=12 4=10"))
        #expect(error == 0)
    }

    @Test func bilinearHalfPixelAndAlignCorners() throws {
        let halfPixel = try Self.exportAndCompare(Self.resize(["mode": .string("linear"), "coordinate_transformation_mode": .string("pytorch_half_pixel")],
                                                              sizes: [1, 2, 7, 3]))
        #expect(halfPixel.line.hasSuffix("0=2 3=7 4=3"))
        #expect(halfPixel.error <= 1e-6)
        let corners = try Self.exportAndCompare(Self.resize(["mode": .string("linear"), "coordinate_transformation_mode": .string("align_corners")],
                                                            sizes: [1, 2, 9, 11]))
        #expect(corners.line.hasSuffix("0=2 3=9 4=11 6=1"))
        #expect(corners.error <= 1e-6)
    }

    @Test func bicubicWithNCNNsCoefficient() throws {
        let (line, error) = try Self.exportAndCompare(Self.resize(["mode": .string("cubic")], scales: [1, 1, 2, 2]))
        #expect(line.hasSuffix("0=3 3=8 4=10"))
        #expect(error <= 1e-5)
    }

    @Test func nearestByAScaleNotOutputOverInputIsWrittenAsTheScale() throws {
        // 5 × 1.75 = 8.75: ONNX takes 8 pixels at ⌊x / 1.75⌋, which NCNN computes from its scale
        // (its ⌊x · 5/8⌋ from the output size takes pixel 3 at x = 5, ONNX 2).
        let (line, error) = try Self.exportAndCompare(Self.resize(Self.nearestFloor, height: 5, width: 5, scales: [1, 1, 1.75, 1.75]))
        #expect(line.hasSuffix("0=1 1=1.75 2=1.75"))
        #expect(error == 0)
    }

    @Test(arguments: [
        (["mode": .string("nearest")], [1, 2, 6, 7], "nearest_mode 'round_prefer_floor'"),
        (["mode": .string("linear"), "coordinate_transformation_mode": .string("asymmetric")], [1, 2, 8, 10], "coordinate_transformation_mode 'asymmetric'"),
        (["mode": .string("linear"), "coordinate_transformation_mode": .string("tf_crop_and_resize")], [1, 2, 8, 10], "tf_crop_and_resize"),
        (["mode": .string("cubic"), "cubic_coeff_a": .float(-0.5)], [1, 2, 8, 10], "cubic_coeff_a -0.5"),
        (["mode": .string("cubic"), "exclude_outside": .int(1)], [1, 2, 8, 10], "exclude_outside"),
        (["mode": .string("cubic")], [1, 2, 3, 10], "shorter than 4"),
        (["mode": .string("nearest")], [1, 4, 4, 5], "channel axis"),
    ] as [([String: Attribute], [Int], String)])
    func resizesNCNNComputesOtherwiseAreRefused(_ attributes: [String: Attribute], _ sizes: [Int], _ reason: String) {
        let model = Self.resize(attributes, height: sizes[2] == 3 ? 2 : 4, sizes: sizes)
        #expect {
            _ = try NCNNExporter.export(model)
        } throws: { error in
            guard case NCNNExportError.unsupportedOp(let node, let op, let message) = error else { return false }
            return node == "'up' (Resize)" && op == "Resize" && message.contains(reason)
        }
    }

    @Test func readerRefusesBilinearByScaleAndReadsNearestByScale() throws {
        func param(_ interp: String) -> [UInt8] {
            Array("7767517\n2 2\nInput in 0 1 x 0=4 1=4 2=2\nInterp up 1 1 x y \(interp)\n".utf8)
        }
        #expect(throws: NCNNImportError.unsupportedLayer(file: "model.param", layer: "up", type: "Interp",
                                                         reason: "bilinear or bicubic by scale; the reader needs output_height and output_width (3, 4)")) {
            _ = try NCNNImporter.importModel(param: param("0=2 1=2.0 2=2.0"), bin: [])
        }
        let model = try NCNNImporter.importModel(param: param("0=1 1=2.0 2=3.0"), bin: [])
        let x = Tensor(shape: [1, 2, 4, 4], values: (0..<32).map { Float($0) })
        let y = try InferenceSession(model: model).run(["x": x])[0]
        #expect(y.shape == [1, 2, 8, 12])
        #expect(Array(y.elements(as: Float.self).prefix(12)) == [0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3])
    }
}
