import FerryIR
import FerryRuntime
import FerryVerify
import TensorIO
import Testing

@Suite struct QDQBoundaryTests {
    @Test func quantizeRoundsHalfToEvenAndSaturates() throws {
        let q = LinearQuantization(scales: [0.5], zeroPoints: [3], type: .int8)
        // x / 0.5 = 0.5, 1.5, -0.5, 200, -200, 2.5 → 0, 2, -0, 200, -200, 2 (+3, saturated)
        let x = Tensor(shape: [6], values: [Float](arrayLiteral: 0.25, 0.75, -0.25, 100, -100, 1.25))
        let result = try q.quantize(x)
        #expect(result.dataType == .int8)
        #expect(result.elements(as: Int8.self) == [3, 5, 3, 127, -128, 5])
        #expect(try q.dequantize(result) == [0, 1, 0, 62, -65.5, 1])
        let u = try LinearQuantization(scales: [0.5], zeroPoints: [3], type: .int8).quantize(x, to: .uint8)
        #expect(u.elements(as: UInt8.self) == [3, 5, 3, 203, 0, 5])
    }

    @Test func perAxisParameters() throws {
        let q = LinearQuantization(scales: [1, 0.5], zeroPoints: [0, 1], axis: 1, type: .int8)
        let x = Tensor(shape: [1, 2, 2], values: [Float](arrayLiteral: 1, 2, 1, 2))
        #expect(try q.quantize(x).elements(as: Int8.self) == [1, 2, 3, 5])
        #expect(try q.dequantize(Tensor(shape: [1, 2, 2], values: [Int8](arrayLiteral: 1, 2, 3, 5))) == [1, 2, 1, 2])
        #expect(throws: VerifyError.self) { try q.quantize(Tensor(shape: [3, 3], values: [Float](repeating: 0, count: 9))) }
    }

    @Test func integerInputsAreQuantizedAndOutputsDequantized() throws {
        let (source, candidate) = TestModels.qdqPair()
        // Sample 0 is exact on every grid (x multiple of 0.5, 2x ≥ 0 multiple of 0.25); sample 1
        // has x = 0.3, which the input grid (0.5) moves to 0.5, so y = 1.0 against 0.6.
        let samples = SampleSet(samples: [
            ["x": Tensor(shape: [1, 4], values: [Float](arrayLiteral: 0.5, 1, -1, 2))],
            ["x": Tensor(shape: [1, 4], values: [Float](arrayLiteral: 0.3, 1, 0, 0.5))],
        ])
        let report = try Verifier(source: source, candidate: candidate).run(samples: samples, budget: .none)
        let y = try #require(report.outputs.first)
        #expect(y.sourceType == .float32 && y.candidateType == .int8 && y.dequantized && y.floating)
        #expect(abs(y.drift.maxAbs - 0.4) < 1e-6)
        #expect(abs(y.drift.meanAbs - 0.4 / 8) < 1e-7)
        // h is float in both (before q_h): drift comes only from the input grid.
        let h = try #require(report.layers.first { $0.value == "h" })
        #expect(abs(h.drift.maxAbs - 0.4) < 1e-6)
        // y is int8 in the candidate and compared after dequantizing with q_y's parameters.
        let yLayer = try #require(report.layers.first { $0.value == "y" })
        #expect(yLayer.dequantized)
        #expect(report.layers.map(\.value) == ["h", "y"])
    }

    @Test func exactGridGivesZeroDrift() throws {
        let (source, candidate) = TestModels.qdqPair()
        let samples = SampleSet(samples: [["x": Tensor(shape: [1, 4], values: [Float](arrayLiteral: 0.5, 1, -1, 2))]])
        let report = try Verifier(source: source, candidate: candidate).run(samples: samples)
        #expect(report.outputs[0].drift.maxAbs == 0)
        #expect(report.outputs[0].drift.cosine == 1)
        #expect(report.passed)
    }

    @Test func integerInputWithoutDequantizeLinearIsAnError() throws {
        var (source, candidate) = TestModels.qdqPair()
        candidate.graph.nodes[0].opType = "Cast"
        candidate.graph.nodes[0].inputs = ["x"]
        candidate.graph.nodes[0].attributes = ["to": .int(1)]
        _ = source
        let verifier = try Verifier(source: source, candidate: candidate, candidateLabel: "cand.onnx")
        do {
            _ = try verifier.run(samples: SampleSet(samples: [["x": Tensor(shape: [1, 4], values: [Float](repeating: 1, count: 4))]]))
            Issue.record("expected an error")
        } catch let error as VerifyError {
            #expect(error.description.contains("cand.onnx") && error.description.contains("input 'x'") && error.description.contains("int8"))
        }
    }

    @Test func integerOutputWithoutQuantizeLinearCannotBeCompared() throws {
        let (source, _) = TestModels.qdqPair()
        let candidate = TestModels.model([
            Node(name: "double", opType: "Mul", inputs: ["x", "two"], outputs: ["h"]),
            Node(name: "cast", opType: "Cast", inputs: ["h"], outputs: ["y"], attributes: ["to": .int(3)]),
        ], inputs: [TestModels.float("x", [1, 4])], outputs: [ValueInfo(name: "y", type: nil)],
           initializers: ["two": Tensor(scalar: Float(2))])
        let samples = SampleSet(samples: [["x": Tensor(shape: [1, 4], values: [Float](repeating: 1, count: 4))]])
        #expect(throws: VerifyError.self) { try Verifier(source: source, candidate: candidate).run(samples: samples) }
    }

    @Test func quantizedValuesAreComparedAfterTheirQuantizeDequantizePair() throws {
        // Source: h = 2x, r = Relu(h), y = -r. Candidate, as a QDQ quantizer writes it: the Relu
        // is dropped and its output name given to the Mul's result, whose QuantizeLinear (zero
        // point -128, scale 0.25) clips the negatives instead.
        let source = TestModels.model([
            Node(name: "double", opType: "Mul", inputs: ["x", "two"], outputs: ["h"]),
            Node(name: "relu", opType: "Relu", inputs: ["h"], outputs: ["r"]),
            Node(name: "neg", opType: "Neg", inputs: ["r"], outputs: ["y"]),
        ], inputs: [TestModels.float("x", [1, 4])], outputs: [TestModels.float("y", [1, 4])],
           initializers: ["two": Tensor(scalar: Float(2))])
        let candidate = TestModels.model([
            Node(name: "double", opType: "Mul", inputs: ["x", "two"], outputs: ["r"]),
            Node(name: "q_r", opType: "QuantizeLinear", inputs: ["r", "s", "z"], outputs: ["r_q"]),
            Node(name: "dq_r", opType: "DequantizeLinear", inputs: ["r_q", "s", "z"], outputs: ["r_dq"]),
            Node(name: "neg", opType: "Neg", inputs: ["r_dq"], outputs: ["y"]),
        ], inputs: [TestModels.float("x", [1, 4])], outputs: [TestModels.float("y", [1, 4])],
           initializers: ["two": Tensor(scalar: Float(2)), "s": Tensor(scalar: Float(0.25)), "z": Tensor(scalar: Int8(-128))])
        let samples = SampleSet(samples: [["x": Tensor(shape: [1, 4], values: [Float](arrayLiteral: -1, 0.5, -3, 1.1))]])
        let report = try Verifier(source: source, candidate: candidate).run(samples: samples, budget: .none)
        let r = try #require(report.layers.first { $0.value == "r" })
        // Relu(2x) = 0, 1, 0, 2.2; after the pair: 0, 1, 0, 2.25.
        #expect(r.dequantized)
        #expect(abs(r.drift.maxAbs - 0.05) < 1e-6)
        #expect(r.drift.cosine > 0.999)
        #expect(abs(report.outputs[0].drift.maxAbs - 0.05) < 1e-6)
        #expect(report.firstDrift == nil)
    }
}
