import CoreMLFormat
import FerryIR
import FerryRuntime
import FerryTestSupport
import Foundation
import Testing

/// Resize → MIL upsample/resize ops on one-node graphs in the modes real exports use: the op
/// and its parameters, the package read back and run against the source, and the refusals.
@Suite struct ResizeTests {
    static func resize(_ attributes: [String: Attribute], scales: [Float]? = nil, sizes: [Int]? = nil) -> Model {
        TestModels.resize(attributes, scales: scales, sizes: sizes)
    }

    /// The resize op written (its type and constant parameters) and the read-back's largest
    /// difference from the source, in float32.
    static func exportAndCompare(_ model: Model) throws -> (op: String, parameters: [String: String], error: Float) {
        let spec = try CoreMLExporter.export(model, options: CoreMLExportOptions(precision: .float32))
        guard case .mlProgram(let program) = spec.body, let main = program.main else { throw CoreMLExportError.preparation("no main") }
        let op = main.operations.first { $0.type.contains("resize") || $0.type.contains("upsample") }
        var parameters: [String: String] = [:]
        for (parameter, _) in op?.inputs ?? [] where parameter != "x" {
            let name = op?.names(parameter)?.first
            switch main.operations.first(where: { $0.outputs[0].name == name })?.attribute("val") {
            case .string(let value)?: parameters[parameter] = value
            case let value?: parameters[parameter] = value.tensor.map { "\($0.integers()[0])" } ?? "?"
            case nil: break
            }
        }
        let x = Tensor(shape: [1, 2, 4, 5], values: (0..<40).map { Float(sin(Double($0) * 0.7)) })
        let read = try CoreMLImporter.importModel(try CoreMLExporter.package(spec).decode())
        let compared = try ModelComparison.largestDifference(original: model, rewritten: read, feeds: ["x": x])
        return (op?.type ?? "", parameters, compared.largest)
    }

    @Test func pytorchNearestByTwoIsUpsampleNearestNeighbor() throws {
        let nearest: [String: Attribute] = ["mode": .string("nearest"), "coordinate_transformation_mode": .string("asymmetric"),
                                            "nearest_mode": .string("floor")]
        let result = try Self.exportAndCompare(Self.resize(nearest, scales: [1, 1, 2, 3]))
        #expect(result.op == "upsample_nearest_neighbor")
        #expect(result.parameters == ["scale_factor_height": "2", "scale_factor_width": "3"])
        #expect(result.error == 0)
    }

    @Test func halfPixelNearestToASizeIsResizeNearestNeighbor() throws {
        let result = try Self.exportAndCompare(Self.resize(["mode": .string("nearest"), "nearest_mode": .string("round_prefer_ceil")], sizes: [1, 2, 6, 7]))
        #expect(result.op == "resize_nearest_neighbor")
        #expect(result.parameters == ["target_size_height": "6", "target_size_width": "7"])
        #expect(result.error == 0)
    }

    @Test func bilinearByTwoIsUpsampleBilinear() throws {
        for (coordinates, aligned) in [("pytorch_half_pixel", "0"), ("align_corners", "1")] {
            let result = try Self.exportAndCompare(Self.resize(["mode": .string("linear"), "coordinate_transformation_mode": .string(coordinates)],
                                                               scales: [1, 1, 2, 2]))
            #expect(result.op == "upsample_bilinear")
            #expect(result.parameters == ["scale_factor_height": "2", "scale_factor_width": "2", "align_corners": aligned])
            #expect(result.error <= 1e-6)
        }
    }

    @Test func bilinearToOtherSizesIsResizeBilinear() throws {
        for (coordinates, mode) in [("half_pixel", "UNALIGN_CORNERS"), ("align_corners", "STRICT_ALIGN_CORNERS"), ("asymmetric", "DEFAULT")] {
            let result = try Self.exportAndCompare(Self.resize(["mode": .string("linear"), "coordinate_transformation_mode": .string(coordinates)],
                                                               sizes: [1, 2, 7, 3]))
            #expect(result.op == "resize_bilinear")
            #expect(result.parameters == ["target_size_height": "7", "target_size_width": "3", "sampling_mode": mode])
            #expect(result.error <= 1e-6)
        }
    }

    @Test(arguments: [
        (["mode": .string("cubic")], [1, 2, 8, 10], "mode 'cubic'"),
        (["mode": .string("nearest")], [1, 2, 6, 7], "nearest_mode 'round_prefer_floor'"),
        (["mode": .string("nearest"), "coordinate_transformation_mode": .string("asymmetric"), "nearest_mode": .string("floor")], [1, 2, 6, 7],
         "nearest_mode 'floor'"),
        (["mode": .string("linear"), "coordinate_transformation_mode": .string("align_corners")], [1, 2, 1, 10], "output length of 1"),
        (["mode": .string("linear"), "coordinate_transformation_mode": .string("tf_crop_and_resize")], [1, 2, 8, 10], "tf_crop_and_resize"),
        (["mode": .string("nearest")], [1, 4, 4, 5], "channel axis"),
    ] as [([String: Attribute], [Int], String)])
    func resizesNoMILOpSamplesAlikeAreRefused(_ attributes: [String: Attribute], _ sizes: [Int], _ reason: String) {
        #expect {
            _ = try CoreMLExporter.export(Self.resize(attributes, sizes: sizes))
        } throws: { error in
            guard case CoreMLExportError.unsupportedOp(let node, let op, let message) = error else { return false }
            return node == "'up' (Resize)" && op == "Resize" && message.contains(reason)
        }
    }
}
