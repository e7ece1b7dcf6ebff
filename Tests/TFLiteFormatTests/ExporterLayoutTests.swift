import FerryIR
import FerryRuntime
import XCTest
import TFLiteFormat

/// Small hand-built graphs: layout choices, fusion, errors and odd names.
final class ExporterLayoutTests: XCTestCase {
    private func constant(_ shape: [Int], seed: Int) -> Tensor {
        let count = shape.reduce(1, *)
        return Tensor(shape: shape, values: (0..<count).map { Float(($0 * 37 + seed * 11) % 17) / 17 - 0.5 })
    }

    /// x@in → Conv → Relu → Add(bias [C,1,1]) → Conv(depthwise) → Clip(0,6) → y:out
    private func convModel(outputTransposed: Bool = false) -> Model {
        var nodes = [
            Node(name: "conv/1@a", opType: "Conv", inputs: ["x@in:0", "w1"], outputs: ["c1"],
                 attributes: ["pads": .ints([1, 1, 1, 1]), "kernel_shape": .ints([3, 3])]),
            Node(name: "relu", opType: "Relu", inputs: ["c1"], outputs: ["r1"]),
            Node(name: "add", opType: "Add", inputs: ["r1", "bias"], outputs: ["a1"]),
            Node(name: "dw", opType: "Conv", inputs: ["a1", "w2", "b2"], outputs: ["c2"],
                 attributes: ["group": .int(4), "strides": .ints([2, 2]), "kernel_shape": .ints([3, 3]), "pads": .ints([0, 0, 1, 1])]),
            Node(name: "clip", opType: "Clip", inputs: ["c2", "lo", "hi"], outputs: [outputTransposed ? "clipped" : "y/out:0"]),
        ]
        if outputTransposed {
            nodes.append(Node(name: "t", opType: "Transpose", inputs: ["clipped"], outputs: ["y/out:0"], attributes: ["perm": .ints([0, 2, 3, 1])]))
        }
        let graph = Graph(name: "g", nodes: nodes,
                          inputs: [ValueInfo(name: "x@in:0", type: ValueType(dataType: .float32, dims: [1, 3, 8, 8]))],
                          outputs: [ValueInfo(name: "y/out:0", type: nil)],
                          initializers: ["w1": constant([4, 3, 3, 3], seed: 1), "bias": constant([4, 1, 1], seed: 2),
                                         "w2": constant([4, 1, 3, 3], seed: 3), "b2": constant([4], seed: 4),
                                         "lo": Tensor(scalar: Float(0)), "hi": Tensor(scalar: Float(6))])
        return Model(graph: graph, opsets: ["": 17])
    }

    private func ops(_ model: TFLiteModel) -> [TFLiteBuiltinOperator] {
        model.subgraphs[0].operators.map { model.operatorCodes[Int($0.opcodeIndex)].builtin }
    }

    func testNCHWChainNeedsOneTransposeEachWayAndFusesActivations() throws {
        let exported = try TFLiteExporter.exportModel(convModel())
        XCTAssertEqual(ops(exported), [.transpose, .conv2D, .add, .depthwiseConv2D, .transpose])
        let operators = exported.subgraphs[0].operators
        XCTAssertEqual(operators[1].options.fusedActivation, .relu)
        XCTAssertEqual(operators[3].options.fusedActivation, .relu6)
        // Asymmetric ONNX pads equal to TF's SAME (extra at the end) need no PAD.
        guard case .depthwiseConv2D(let options) = operators[3].options else { return XCTFail("\(operators[3].options)") }
        XCTAssertEqual(options.padding, .same)
        XCTAssertEqual(options.depthMultiplier, 1)
        let names = exported.subgraphs[0].tensors.map(\.name)
        XCTAssertEqual(names[Int(exported.subgraphs[0].inputs[0])], "x@in:0")
        XCTAssertEqual(names[Int(exported.subgraphs[0].outputs[0])], "y/out:0")
        XCTAssertEqual(exported.signatureDefs.first?.inputs.map(\.name), ["x@in:0"])
        XCTAssertEqual(exported.signatureDefs.first?.outputs.map(\.name), ["y/out:0"])
        XCTAssertEqual(exported.metadata.map(\.name), ["min_runtime_version", TFLiteMetadataInfo.ioNamesKey])
    }

    func testChannelsLastInputsAndAnNHWCOutputTransposeNeedNoTransposeAtAll() throws {
        let model = convModel(outputTransposed: true)
        var options = TFLiteExportOptions()
        options.inputLayout = .channelsLast
        let exported = try TFLiteExporter.exportModel(model, options: options)
        XCTAssertEqual(ops(exported), [.conv2D, .add, .depthwiseConv2D])
        XCTAssertEqual(exported.subgraphs[0].tensors[Int(exported.subgraphs[0].inputs[0])].shape, [1, 8, 8, 3])
    }

    func testExportedChainComputesWhatTheSourceComputes() throws {
        let model = convModel()
        let imported = try TFLiteImporter.importModel(bytes: try TFLiteExporter.export(model))
        let x = constant([1, 3, 8, 8], seed: 9)
        let expected = try InferenceSession(model: model).run(["x@in:0": x])[0]
        let actual = try InferenceSession(model: imported).run(["x@in:0": x])[0]
        XCTAssertEqual(actual.shape, expected.shape)
        for (a, e) in zip(actual.elements(as: Float.self), expected.elements(as: Float.self)) {
            XCTAssertEqual(a, e, accuracy: 1e-5)
        }
    }

    func testUnsupportedOpIsATypedErrorNamingTheNode() {
        var model = convModel()
        model.graph.nodes.append(Node(name: "odd/node@1", opType: "Erf", inputs: ["y/out:0"], outputs: ["z"]))
        model.graph.outputs = [ValueInfo(name: "z", type: nil)]
        XCTAssertThrowsError(try TFLiteExporter.export(model)) { error in
            guard case TFLiteExportError.unsupportedOp(let node, let op, _) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(node, "'odd/node@1' (Erf)")
            XCTAssertEqual(op, "Erf")
        }
    }

    func testSoftmaxOnAChannelAxisTransposesOnlyThere() throws {
        let graph = Graph(name: "s", nodes: [
            Node(name: "sm", opType: "Softmax", inputs: ["x"], outputs: ["y"], attributes: ["axis": .int(1)]),
        ], inputs: [ValueInfo(name: "x", type: ValueType(dataType: .float32, dims: [1, 5, 3]))],
           outputs: [ValueInfo(name: "y", type: nil)])
        let model = Model(graph: graph, opsets: ["": 17])
        let exported = try TFLiteExporter.exportModel(model)
        XCTAssertEqual(ops(exported), [.transpose, .softmax, .transpose])
        let imported = try TFLiteImporter.importModel(exported)
        let x = constant([1, 5, 3], seed: 5)
        let expected = try InferenceSession(model: model).run(["x": x])[0].elements(as: Float.self)
        let actual = try InferenceSession(model: imported).run(["x": x])[0].elements(as: Float.self)
        for (a, e) in zip(actual, expected) { XCTAssertEqual(a, e, accuracy: 1e-6) }
    }
}
