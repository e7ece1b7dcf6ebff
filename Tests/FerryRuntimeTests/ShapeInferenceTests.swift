import FerryIR
import FerryRuntime
import Testing

@Suite struct ShapeInferenceTests {
    @Test func followsSymbolicBatchThroughConvAndShapeArithmetic() throws {
        let w = Tensor(shape: [4, 3, 3, 3], values: [Float](repeating: 0.1, count: 108))
        let graph = Graph(nodes: [
            Node(name: "conv", opType: "Conv", inputs: ["x", "w"], outputs: ["c"], attributes: ["pads": .ints([1, 1, 1, 1])]),
            Node(name: "shape", opType: "Shape", inputs: ["c"], outputs: ["s"]),
            Node(name: "first", opType: "Slice", inputs: ["s", "zero", "one"], outputs: ["batch"]),
            Node(name: "target", opType: "Concat", inputs: ["batch", "minus1"], outputs: ["t"], attributes: ["axis": .int(0)]),
            Node(name: "reshape", opType: "Reshape", inputs: ["c", "t"], outputs: ["y"]),
            Node(name: "nz", opType: "NonZero", inputs: ["y"], outputs: ["where"]),
        ], inputs: [ValueInfo(name: "x", type: ValueType(dataType: .float32, shape: [.symbol("batch"), .fixed(3), .fixed(8), .fixed(8)]))],
           outputs: [ValueInfo(name: "y", type: nil), ValueInfo(name: "where", type: nil)],
           initializers: ["w": w, "zero": Tensor(shape: [1], values: [Int64(0)]), "one": Tensor(shape: [1], values: [Int64(1)]),
                          "minus1": Tensor(shape: [1], values: [Int64(-1)])])
        let inferred = try ShapeInference.infer(Model(graph: graph, opsets: ["": 17]))
        #expect(inferred.graph.valueInfo["c"]?.type == ValueType(dataType: .float32, shape: [.symbol("batch"), .fixed(4), .fixed(8), .fixed(8)]))
        #expect(inferred.graph.valueInfo["s"]?.type == ValueType(dataType: .int64, dims: [4]))
        #expect(inferred.graph.outputs[0].type == ValueType(dataType: .float32, shape: [.symbol("batch"), .fixed(256)]))
        // NonZero's output size depends on the data: only its rank is reported.
        #expect(inferred.graph.outputs[1].type == ValueType(dataType: .int64, shape: [.unknown, .unknown]))
    }

    @Test func everyValueOfAStaticGraphGetsAType() throws {
        let graph = Graph(nodes: [
            Node(name: "a", opType: "MatMul", inputs: ["x", "m"], outputs: ["p"]),
            Node(name: "b", opType: "Softmax", inputs: ["p"], outputs: ["q"]),
            Node(name: "c", opType: "ArgMax", inputs: ["q"], outputs: ["r"], attributes: ["axis": .int(1), "keepdims": .int(0)]),
        ], inputs: [ValueInfo(name: "x", type: ValueType(dataType: .float32, dims: [2, 5]))],
           outputs: [ValueInfo(name: "r", type: nil)],
           initializers: ["m": Tensor(shape: [5, 3], values: [Float](repeating: 1, count: 15))])
        let inferred = try ShapeInference.infer(Model(graph: graph, opsets: ["": 17]))
        #expect(inferred.graph.valueInfo["p"]?.type == ValueType(dataType: .float32, dims: [2, 3]))
        #expect(inferred.graph.valueInfo["q"]?.type == ValueType(dataType: .float32, dims: [2, 3]))
        #expect(inferred.graph.outputs[0].type == ValueType(dataType: .int64, dims: [2]))
    }
}
