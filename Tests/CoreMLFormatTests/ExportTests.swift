import FerryIR
import FerryRuntime
import Foundation
import Testing
import CoreMLFormat

@Suite struct ExportTests {
    static func tinyConv() -> Model {
        let weight = Tensor(shape: [4, 2, 3, 3], values: (0..<72).map { Float(($0 * 37) % 17) / 17 - 0.5 })
        let bias = Tensor(shape: [4], values: [Float(0.1), -0.2, 0.3, 0])
        let graph = Graph(name: "tiny", nodes: [
            Node(name: "conv", opType: "Conv", inputs: ["x.in", "w", "b"], outputs: ["c"], attributes: ["pads": .ints([1, 0, 1, 0]), "strides": .ints([2, 1])]),
            Node(name: "relu", opType: "Relu", inputs: ["c"], outputs: ["r"]),
            Node(name: "pool", opType: "GlobalAveragePool", inputs: ["r"], outputs: ["p"]),
            Node(name: "flat", opType: "Flatten", inputs: ["p"], outputs: ["y:0"]),
        ], inputs: [ValueInfo(name: "x.in", type: ValueType(dataType: .float32, dims: [1, 2, 5, 6]))],
           outputs: [ValueInfo(name: "y:0", type: nil)], initializers: ["w": weight, "b": bias])
        return Model(graph: graph, opsets: ["": 17])
    }

    @Test func milOpsAndShapesOnATinyGraph() throws {
        let spec = try CoreMLExporter.export(Self.tinyConv())
        guard case .mlProgram(let program) = spec.body, let main = program.main else { Issue.record("no main"); return }
        let ops = main.operations.filter { $0.type != "const" }
        #expect(ops.map(\.type) == ["cast", "conv", "relu", "reduce_mean", "reshape", "cast"])
        #expect(ops[1].outputs[0].type == MILTensorType(.float16, [1, 4, 3, 4]))
        #expect(ops[3].outputs[0].type == MILTensorType(.float16, [1, 4, 1, 1]))
        #expect(main.inputs == [MILNamedType("x_in", MILTensorType(.float32, [1, 2, 5, 6]))])
        #expect(main.outputs == ["y_0"])
        #expect(main.opset == "CoreML5" && spec.specificationVersion == 6)
        #expect(spec.description.inputs[0].shortDescription == "x.in")
        let padName = ops[1].names("pad")?.first
        let pad = main.operations.first { $0.outputs[0].name == padName }?.attribute("val")?.tensor?.integers()
        #expect(pad == [1, 1, 0, 0])  // MIL: [top, bottom, left, right]
    }

    @Test func internalValuesHaveShortNamesThatReadBackAsTheSources() throws {
        let (spec, sourceNames) = try CoreMLExporter.exportNamed(Self.tinyConv())
        guard case .mlProgram(let program) = spec.body, let main = program.main else { Issue.record("no main"); return }
        let conv = main.operations.first { $0.type == "conv" }
        #expect(conv?.outputs[0].name.count ?? 99 <= 4)
        #expect(conv.map { sourceNames[$0.outputs[0].name] } == "c")
        // The graph's own inputs and outputs keep descriptive names and are not in the map.
        #expect(!sourceNames.values.contains("x.in") && !sourceNames.values.contains("y:0"))
        let read = try CoreMLImporter.importModel(try CoreMLExporter.package(spec).decode(), sourceNames: sourceNames)
        let values = Set(read.graph.nodes.flatMap(\.outputs))
        #expect(values.contains("c") && values.contains("r"))
        #expect(read.graph.inputs.map(\.name) == ["x.in"] && read.graph.outputs.map(\.name) == ["y:0"])
    }

    @Test func symmetricInt8WeightsHaveOneScalarZeroPoint() throws {
        let quantized = Tensor(shape: [4, 2, 3, 3], values: (0..<72).map { Int8(($0 * 37) % 255 - 127) })
        let graph = Graph(name: "int8", nodes: [
            Node(name: "dq", opType: "DequantizeLinear", inputs: ["wq", "ws", "wz"], outputs: ["w"], attributes: ["axis": .int(0)]),
            Node(name: "conv", opType: "Conv", inputs: ["x", "w"], outputs: ["y"]),
        ], inputs: [ValueInfo(name: "x", type: ValueType(dataType: .float32, dims: [1, 2, 5, 6]))],
           outputs: [ValueInfo(name: "y", type: nil)],
           initializers: ["wq": quantized, "ws": Tensor(shape: [4], values: [Float(0.01), 0.02, 0.005, 0.03]),
                          "wz": Tensor(shape: [4], values: [Int8](repeating: 0, count: 4))])
        let model = Model(graph: graph, opsets: ["": 17])
        let spec = try CoreMLExporter.export(model, options: CoreMLExportOptions(precision: .float32))
        guard case .mlProgram(let program) = spec.body, let main = program.main else { Issue.record("no main"); return }
        let dequantize = main.operations.first { $0.type == "constexpr_affine_dequantize" }
        #expect(dequantize?.attribute("zero_point")?.tensor?.shape == [])
        #expect(dequantize?.attribute("scale")?.tensor?.shape == [4])
        let x = Tensor(shape: [1, 2, 5, 6], values: (0..<60).map { Float($0 % 7) / 3 - 1 })
        let expected = try InferenceSession(model: model).run(["x": x])[0].elements(as: Float.self)
        let read = try CoreMLImporter.importModel(try CoreMLExporter.package(spec).decode())
        let actual = try InferenceSession(model: read).run(["x": x])[0].elements(as: Float.self)
        #expect(actual.count == expected.count)
        for (a, e) in zip(actual, expected) { #expect(abs(a - e) <= 1e-5 * max(1, abs(e))) }
    }

    @Test func writeReadRunMatchesTheSourceInFloat32AndFloat16() throws {
        let model = Self.tinyConv()
        let x = Tensor(shape: [1, 2, 5, 6], values: (0..<60).map { Float($0 % 7) / 3 - 1 })
        let expected = try InferenceSession(model: model).run(["x.in": x])[0].elements(as: Float.self)
        for (precision, tolerance) in [(CoreMLExportOptions.Precision.float32, Float(1e-6)), (.float16, Float(4e-3))] {
            let package = CoreMLExporter.package(try CoreMLExporter.export(model, options: CoreMLExportOptions(precision: precision)))
            let read = try CoreMLImporter.importModel(try package.decode())
            let actual = try InferenceSession(model: read).run(["x.in": x])[0].elements(as: Float.self)
            #expect(actual.count == expected.count)
            for (a, e) in zip(actual, expected) { #expect(abs(a - e) <= tolerance * max(1, abs(e)), "\(precision)") }
        }
    }

    @Test func packagesAreByteIdentical() throws {
        let first = CoreMLExporter.package(try CoreMLExporter.export(Self.tinyConv())).files()
        let second = CoreMLExporter.package(try CoreMLExporter.export(Self.tinyConv())).files()
        #expect(first.map(\.path) == second.map(\.path))
        #expect(first.map(\.bytes) == second.map(\.bytes))
        #expect(first.map(\.path) == ["Manifest.json", "Data/com.apple.CoreML/model.mlmodel", "Data/com.apple.CoreML/weights/weight.bin"])
    }

    @Test func unknownOpIsAnErrorNamingTheNode() {
        var model = Self.tinyConv()
        model.graph.nodes[1] = Node(name: "odd", opType: "Hardmax", inputs: ["c"], outputs: ["r"])
        #expect(throws: CoreMLExportError.self) { try CoreMLExporter.export(model) }
        do {
            _ = try CoreMLExporter.export(model)
        } catch {
            #expect("\(error)".contains("'odd' (Hardmax)"))
        }
    }

    @Test func unknownMILOpAndBadSpecBytesAreReadErrors() throws {
        var spec = try CoreMLExporter.export(Self.tinyConv())
        guard case .mlProgram(var program) = spec.body else { return }
        program.functions[0].function.operations[program.functions[0].function.operations.count - 2].type = "made_up_op"
        spec.body = .mlProgram(program)
        let package = CoreMLExporter.package(spec)
        #expect(throws: CoreMLReadError.self) { try CoreMLImporter.importModel(try package.decode()) }
        #expect(throws: CoreMLReadError.self) { try SpecDecoder(weights: nil).decode([0xFF, 0xFF, 0xFF]) }
        let truncated = MLPackage(spec: package.spec, weights: Array(package.weights!.prefix(100)))
        #expect(throws: CoreMLReadError.self) { try truncated.decode() }
    }
}

@Suite struct ClassifierTests {
    @Test func labelsAddAClassifyOpAndReadBackAsTheProbabilities() throws {
        var options = CoreMLExportOptions(precision: .float32)
        options.classLabels = ["a", "b", "c", "d"]
        let model = ExportTests.tinyConv()  // output y:0 is [1, 4]
        let spec = try CoreMLExporter.export(model, options: options)
        guard case .mlProgram(let program) = spec.body, let main = program.main else { Issue.record("no main"); return }
        #expect(main.operations.last?.type == "classify")
        #expect(main.outputs == ["classLabel", "classLabel_probs"])
        #expect(spec.description.predictedFeatureName == "classLabel")
        #expect(spec.description.outputs.map(\.kind) == [.string, .stringKeyedDictionary])
        let package = CoreMLExporter.package(spec)
        let decoded = try package.decode()
        #expect(decoded.description.predictedProbabilitiesName == "classLabel_probs")
        #expect(decoded.description.outputs[1].shortDescription == "y:0")
        #expect(try CoreMLSummary.summarize(package).classLabels == ["a", "b", "c", "d"])
        let read = try CoreMLImporter.importModel(decoded)
        #expect(read.graph.outputs.map(\.name) == ["y:0"])
        let x = Tensor(shape: [1, 2, 5, 6], values: (0..<60).map { Float($0 % 7) / 3 - 1 })
        let expected = try InferenceSession(model: model).run(["x.in": x])[0].elements(as: Float.self)
        let actual = try InferenceSession(model: read).run(["x.in": x])[0].elements(as: Float.self)
        for (a, e) in zip(actual, expected) { #expect(abs(a - e) <= 1e-5) }
    }

    @Test func aLabelCountThatDoesNotFitIsAnError() {
        var options = CoreMLExportOptions()
        options.classLabels = ["a", "b"]
        #expect(throws: CoreMLExportError.self) { try CoreMLExporter.export(ExportTests.tinyConv(), options: options) }
    }
}
