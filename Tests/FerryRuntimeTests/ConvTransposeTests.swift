import FerryIR
import FerryRuntime
import Testing

/// Where ConvTranspose's output lies in its full scatter when output_shape or auto_pad leaves an
/// odd total pad: as onnxruntime 1.32 places it (tests/test_convtranspose_padding.py checks the
/// same cases against onnxruntime itself).
@Suite struct ConvTransposeTests {
    /// x = [1, 2, 3] through the kernel [1, 10, 100] at stride 2: the full scatter is
    /// [1, 10, 102, 20, 203, 30, 300].
    static func run(_ attributes: [String: Attribute]) throws -> [Float] {
        let graph = Graph(name: "ct", nodes: [
            Node(name: "ct", opType: "ConvTranspose", inputs: ["x", "w"], outputs: ["y"], attributes: attributes.merging(["strides": .ints([2])]) { $1 }),
        ], inputs: [ValueInfo(name: "x", type: ValueType(dataType: .float32, dims: [1, 1, 3]))],
           outputs: [ValueInfo(name: "y", type: nil)], initializers: ["w": Tensor(shape: [1, 1, 3], values: [Float](arrayLiteral: 1, 10, 100))])
        let y = try InferenceSession(model: Model(graph: graph, opsets: ["": 17])).run(["x": Tensor(shape: [1, 1, 3], values: [Float](arrayLiteral: 1, 2, 3))])[0]
        return y.elements(as: Float.self)
    }

    @Test func outputShapeCutsTheOddPixelAtTheStart() throws {
        #expect(try Self.run(["output_shape": .ints([6])]) == [10, 102, 20, 203, 30, 300])
        #expect(try Self.run(["output_shape": .ints([4])]) == [102, 20, 203, 30])
        #expect(try Self.run(["output_shape": .ints([6]), "auto_pad": .string("SAME_LOWER")]) == [10, 102, 20, 203, 30, 300])
    }

    /// One beyond the full scatter (ONNX's test_convtranspose_output_shape): a zero at the end.
    @Test func outputShapeBeyondTheScatterAddsZerosAtTheEnd() throws {
        for autoPad in ["NOTSET", "SAME_UPPER", "SAME_LOWER"] {
            #expect(try Self.run(["output_shape": .ints([8]), "auto_pad": .string(autoPad)]) == [1, 10, 102, 20, 203, 30, 300, 0])
        }
    }

    @Test func sameUpperCutsTheOddPixelAtTheEnd() throws {
        #expect(try Self.run(["output_shape": .ints([6]), "auto_pad": .string("SAME_UPPER")]) == [1, 10, 102, 20, 203, 30])
        #expect(try Self.run(["output_shape": .ints([4]), "auto_pad": .string("SAME_UPPER")]) == [10, 102, 20, 203])
        #expect(try Self.run(["auto_pad": .string("SAME_UPPER")]) == [1, 10, 102, 20, 203, 30])
        #expect(try Self.run(["auto_pad": .string("SAME_LOWER")]) == [10, 102, 20, 203, 30, 300])
    }

    @Test func evenPadsAndOutputPaddingAreUnchanged() throws {
        #expect(try Self.run(["output_shape": .ints([5])]) == [10, 102, 20, 203, 30])
        #expect(try Self.run(["pads": .ints([1, 2])]) == [10, 102, 20, 203])
        #expect(try Self.run(["pads": .ints([1, 1]), "output_padding": .ints([1])]) == [10, 102, 20, 203, 30, 300])
    }
}
