import CoreMLFormat
import FerryIR
import FerryRuntime
import Foundation
import Testing

/// ML Program image inputs as coremltools writes `ct.ImageType` (an image feature, a float32
/// tensor function input, `mul`/`add` before the float16 cast), and their read-back.
@Suite struct ImageInputTests {
    /// Conv 3 → 2 channels then Relu, on an input of `dims` (nil: dynamic).
    static func rgbConv(_ dims: [Int?] = [1, 3, 4, 5]) -> Model {
        let weight = Tensor(shape: [2, 3, 3, 3], values: (0..<54).map { Float(($0 * 29) % 13) / 13 - 0.5 })
        let shape: [Dim] = dims.enumerated().map { index, d in d.map { .fixed($0) } ?? .symbol("d\(index)") }
        let graph = Graph(name: "image", nodes: [
            Node(name: "conv", opType: "Conv", inputs: ["pixels", "w"], outputs: ["c"], attributes: ["pads": .ints([1, 1, 1, 1])]),
            Node(name: "relu", opType: "Relu", inputs: ["c"], outputs: ["y"]),
        ], inputs: [ValueInfo(name: "pixels", type: ValueType(dataType: .float32, shape: shape))],
           outputs: [ValueInfo(name: "y", type: nil)], initializers: ["w": weight])
        return Model(graph: graph, opsets: ["": 17])
    }

    static let bgr = ImageInput(name: nil, colorSpace: .bgr, mean: [10, 20, 30], std: [2, 4, 8])

    @Test func imageFeatureOverAFloatTensorWithScaleAndBiasOps() throws {
        var options = CoreMLExportOptions(precision: .float16)
        options.imageInput = Self.bgr
        let spec = try CoreMLExporter.export(Self.rgbConv(), options: options)
        guard case .mlProgram(let program) = spec.body, let main = program.main else { Issue.record("no main"); return }
        #expect(spec.description.inputs[0].kind == .image(.bgr) && spec.description.inputs[0].shape == [1, 3, 4, 5])
        #expect(main.inputs == [MILNamedType("pixels", MILTensorType(.float32, [1, 3, 4, 5]))])
        let ops = main.operations.filter { $0.type != "const" }
        #expect(ops.prefix(3).map(\.type) == ["mul", "add", "cast"])
        func constant(_ op: MILOperation, _ parameter: String) -> Tensor? {
            let name = op.names(parameter)?.first
            return main.operations.first { $0.outputs[0].name == name }?.attribute("val")?.tensor
        }
        // Per-channel stds: a [1, C, 1, 1] scale (coremltools' scalar when they are equal).
        let scale = constant(ops[0], "y"), bias = constant(ops[1], "y")
        #expect(scale?.shape == [1, 3, 1, 1] && scale?.elements(as: Float.self) == [0.5, 0.25, 0.125])
        #expect(bias?.shape == [1, 3, 1, 1] && bias?.elements(as: Float.self) == [-5, -5, -3.75])
        #expect(ops[0].outputs[0].type == MILTensorType(.float32, [1, 3, 4, 5]))
        let decoded = try CoreMLExporter.package(spec).decode()
        #expect(decoded.description.inputs[0].kind == .image(.bgr))
    }

    @Test func readBackTakesTheNormalizedTensorAndChecksTheWrittenBias() throws {
        var options = CoreMLExportOptions(precision: .float32)
        options.imageInput = Self.bgr
        let model = Self.rgbConv()
        let (spec, names) = try CoreMLExporter.exportNamed(model, options: options)
        let decoded = try CoreMLExporter.package(spec).decode()
        let x = Tensor(shape: [1, 3, 4, 5], values: (0..<60).map { Float($0 % 9) / 4 - 1 })
        let expected = try InferenceSession(model: model).run(["pixels": x])[0].elements(as: Float.self)
        let read = try CoreMLImporter.importModel(decoded, sourceNames: names, imageInput: Self.bgr)
        #expect(read.graph.inputs.map(\.name) == ["pixels"])
        let actual = try InferenceSession(model: read).run(["pixels": x])[0].elements(as: Float.self)
        for (a, e) in zip(actual, expected) { #expect(abs(a - e) <= 1e-5 * max(1, abs(e))) }
        // Declaring another mean than the program's bias shows as drift.
        var other = Self.bgr
        other.mean = [0, 0, 0]
        let wrong = try InferenceSession(model: try CoreMLImporter.importModel(decoded, sourceNames: names, imageInput: other))
            .run(["pixels": x])[0].elements(as: Float.self)
        #expect(zip(wrong, expected).contains { abs($0 - $1) > 0.1 })
    }

    @Test func dynamicHeightAndWidthBecomeAnImageSizeRange() throws {
        var options = CoreMLExportOptions()
        options.imageInput = ImageInput(name: "pixels", colorSpace: .rgb, mean: [127.5], std: [127.5])
        let spec = try CoreMLExporter.export(Self.rgbConv([1, 3, nil, nil]), options: options)
        let decoded = try CoreMLExporter.package(spec).decode()
        let input = decoded.description.inputs[0]
        #expect(input.kind == .image(.rgb))
        #expect(input.ranges?[2] == ClosedRangeBound(lower: 1, upper: nil) && input.ranges?[3] == ClosedRangeBound(lower: 1, upper: nil))
        guard case .mlProgram(let program) = decoded.body, let main = program.main else { Issue.record("no main"); return }
        #expect(main.inputs[0].type == MILTensorType(.float32, [1, 3, nil, nil]))
    }

    @Test func anInputThatIsNotAnImageIsAnError() {
        var options = CoreMLExportOptions()
        options.imageInput = ImageInput(name: nil, colorSpace: .rgb, mean: [0, 0], std: [1])
        #expect(throws: CoreMLExportError.self) { try CoreMLExporter.export(Self.rgbConv(), options: options) }
        options.imageInput = ImageInput(name: "nope", colorSpace: .rgb, mean: [0], std: [1])
        #expect(throws: CoreMLExportError.self) { try CoreMLExporter.export(Self.rgbConv(), options: options) }
    }
}
