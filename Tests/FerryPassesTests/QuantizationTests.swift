import CFerryKernels
import FerryIR
import FerryPasses
import FerryRuntime
import FerryTestSupport
import Foundation
import ONNXFormat
import TensorIO
import Testing

/// Samples of a fixture's npz file (batched along axis 0), one feed per sample.
func fixtureSamples(_ fixture: String, _ file: String, limit: Int, model: Model) throws -> [[String: Tensor]] {
    let path = ModelComparison.fixturesDirectory.appendingPathComponent("\(fixture)/\(file).npz").path
    return try SampleSet.load(specs: [path], inputs: model.graph.runtimeInputs).prefix(limit).samples
}

/// The first float32 output of a run (classifier scores; labels and indices are skipped).
func firstFloat(_ outputs: [Tensor]) -> [Float] {
    outputs.first { $0.dataType == .float32 }!.elements(as: Float.self)
}

func argmax(_ values: [Float]) -> Int { values.indices.max { values[$0] < values[$1] } ?? 0 }

func cosine(_ a: [Float], _ b: [Float]) -> Double {
    var dot = 0.0, na = 0.0, nb = 0.0
    for (x, y) in zip(a, b) { dot += Double(x) * Double(y); na += Double(x) * Double(x); nb += Double(y) * Double(y) }
    return dot / max((na * nb).squareRoot(), 1e-30)
}

@Suite struct RequantizationTests {
    @Test func quantizeMultiplierMatchesTFLite() {
        var m: Int32 = 0, s: Int32 = 0
        ferry_quantize_multiplier(0.5, &m, &s, 0)
        #expect(m == 1 << 30 && s == 0)
        ferry_quantize_multiplier(0.25, &m, &s, 0)
        #expect(m == 1 << 30 && s == -1)
        ferry_quantize_multiplier(3.0, &m, &s, 0)
        #expect(m == 1 << 30 * 1 + (1 << 29) && s == 2)
        ferry_quantize_multiplier(0, &m, &s, 0)
        #expect(m == 0 && s == 0)
        // Rounding q·2^31 up to 2^31 carries into the shift.
        ferry_quantize_multiplier(1 - 1e-12, &m, &s, 0)
        #expect(m == 1 << 30 && s == 1)
    }

    @Test func doubleRoundingRoundsTwiceSingleRoundingOnce() {
        var m: Int32 = 0, s: Int32 = 0
        // 0.375 = 0.75 · 2^-1: double rounding rounds x·0.75 first, then halves.
        ferry_quantize_multiplier(0.375, &m, &s, 0)
        #expect(m == 1_610_612_736 && s == -1)
        #expect(ferry_multiply_by_quantized_multiplier(6, m, s, 0) == 3)   // 4.5 → 5, 5/2 → 3
        #expect(ferry_multiply_by_quantized_multiplier(6, m, s, 1) == 2)   // 2.25 → 2
        // gemmlowp's high multiply rounds −1.5 to −1 (its nudge), as does the single rounding.
        ferry_quantize_multiplier(0.5, &m, &s, 0)
        #expect(ferry_multiply_by_quantized_multiplier(-3, m, s, 0) == -1)
        #expect(ferry_multiply_by_quantized_multiplier(-3, m, s, 1) == -1)
        #expect(ferry_multiply_by_quantized_multiplier(3, m, s, 0) == 2)
        ferry_quantize_multiplier(0.3, &m, &s, 0)
        for x: Int32 in [-1000, -17, 0, 5, 999, 123_456] {
            let exact = (Double(x) * 0.3).rounded(.toNearestOrAwayFromZero)
            #expect(abs(Double(ferry_multiply_by_quantized_multiplier(x, m, s, 0)) - exact) <= 1)
            #expect(abs(Double(ferry_multiply_by_quantized_multiplier(x, m, s, 1)) - exact) <= 1)
        }
    }
}

/// Each integer kernel against the QDQ graph it replaces, on the same int8 (or, for 16×8,
/// int16) inputs: the only difference allowed is rounding, at most one step of the output.
@Suite struct IntegerKernelTests {
    func random(_ shape: [Int], seed: UInt64, lo: Float = -1, hi: Float = 1) -> Tensor {
        var g = SplitMix64(seed: seed)
        return Tensor(shape: shape, values: (0..<shape.reduce(1, *)).map { _ in lo + Float(g.unit()) * (hi - lo) })
    }

    /// Quantizes a float graph with ranges measured on `feeds`, then compares the lowered
    /// integer run with the QDQ run, output by output, in units of the output scale.
    func check(_ nodes: [Node], inputs: [String: [Int]], initializers: [String: Tensor], outputs: [String],
               mode: QuantizationMode = .int8, file: String = #fileID, line: Int = #line) throws {
        let graph = Graph(nodes: nodes, inputs: inputs.keys.sorted().map { ValueInfo(name: $0, type: ValueType(dataType: .float32, dims: inputs[$0]!)) },
                          outputs: outputs.map { ValueInfo(name: $0, type: nil) }, initializers: initializers)
        let float = Model(graph: graph, opsets: ["": 17])
        let feeds = (0..<4).map { i in Dictionary(uniqueKeysWithValues: inputs.keys.sorted().enumerated().map { j, name in
            (name, random(inputs[name]!, seed: UInt64(100 * i + j), lo: -2, hi: 3)) }) }
        let names = nodes.flatMap(\.outputs) + inputs.keys.sorted()
        let stats = try ActivationRecorder.record(model: float, names: names, samples: feeds, method: .minmax, threads: 1)
        let quantized = try QDQQuantizer(options: QuantizationOptions(mode: mode, floatInputsOutputs: false), statistics: stats).apply(to: float)
        let lowered = try IntegerLowering.lower(quantized.graph, rounding: .double)
        #expect(lowered.nodes.contains { $0.domain == "ai.ferry" })
        #expect(!lowered.nodes.contains { $0.opType == "QuantizeLinear" || $0.opType == "DequantizeLinear" },
                "not lowered: \(lowered.nodes.map(\.opType))")
        for rounding in IntegerRounding.allCases {
            let qdq = try InferenceSession(model: quantized)
            let integer = try InferenceSession(model: quantized, options: SessionOptions(integerArithmetic: rounding))
            for feed in feeds {
                // Integer inputs: quantize the float feed with the graph input's parameters.
                var intFeed: [String: Tensor] = [:]
                for (name, value) in feed {
                    let dq = quantized.graph.nodes.first { $0.opType == "DequantizeLinear" && $0.inputs[0] == name }!
                    let scale = quantized.graph.initializers[dq.inputs[1]]!.elements(as: Float.self)[0]
                    let zero = quantized.graph.initializers[dq.inputs[2]]!.integers()[0]
                    let q = value.elements(as: Float.self).map { Int(($0 / scale).rounded()) + zero }
                    intFeed[name] = mode == .int16x8 ? Tensor(shape: value.shape, values: q.map { Int16(max(-32768, min(32767, $0))) })
                                                     : Tensor(shape: value.shape, values: q.map { Int8(max(-128, min(127, $0))) })
                }
                let expected = try qdq.run(intFeed), actual = try integer.run(intFeed)
                for (e, a) in zip(expected, actual) {
                    let worst = zip(e.integers(), a.integers()).map { abs($0 - $1) }.max() ?? 0
                    #expect(a.dataType == (mode == .int16x8 ? .int16 : .int8))
                    #expect(worst <= 1, "\(nodes.map(\.opType)) \(mode) \(rounding): off by \(worst) steps")
                }
            }
        }
    }

    @Test(arguments: [QuantizationMode.int8, .int16x8])
    func convWithBiasAndRelu6(_ mode: QuantizationMode) throws {
        try check([
            Node(name: "conv", opType: "Conv", inputs: ["x", "w", "b"], outputs: ["c"], attributes: ["pads": .ints([1, 1, 1, 1]), "strides": .ints([2, 2])]),
            Node(name: "clip", opType: "Clip", inputs: ["c", "lo", "hi"], outputs: ["y"]),
        ], inputs: ["x": [1, 3, 9, 9]], initializers: ["w": random([8, 3, 3, 3], seed: 1), "b": random([8], seed: 2),
                                                        "lo": Tensor(scalar: Float(0)), "hi": Tensor(scalar: Float(6))], outputs: ["y"], mode: mode)
    }

    @Test(arguments: [QuantizationMode.int8, .int16x8])
    func depthwiseConv(_ mode: QuantizationMode) throws {
        try check([Node(name: "dw", opType: "Conv", inputs: ["x", "w", "b"], outputs: ["y"], attributes: ["group": .int(4), "pads": .ints([1, 1, 1, 1])])],
                  inputs: ["x": [1, 4, 7, 7]], initializers: ["w": random([4, 1, 3, 3], seed: 3), "b": random([4], seed: 4)], outputs: ["y"], mode: mode)
    }

    @Test(arguments: [QuantizationMode.int8, .int16x8])
    func fullyConnectedBothLayouts(_ mode: QuantizationMode) throws {
        try check([
            Node(name: "fc", opType: "Gemm", inputs: ["x", "w", "b"], outputs: ["h"], attributes: ["transB": .int(1)]),
            Node(name: "relu", opType: "Relu", inputs: ["h"], outputs: ["r"]),
            Node(name: "mm", opType: "MatMul", inputs: ["r", "w2"], outputs: ["y"]),
        ], inputs: ["x": [3, 16]], initializers: ["w": random([12, 16], seed: 5), "b": random([12], seed: 6), "w2": random([12, 5], seed: 7)], outputs: ["y"], mode: mode)
    }

    @Test(arguments: [QuantizationMode.int8, .int16x8])
    func addSubMulWithBroadcast(_ mode: QuantizationMode) throws {
        try check([
            Node(name: "add", opType: "Add", inputs: ["a", "b"], outputs: ["s"]),
            Node(name: "mul", opType: "Mul", inputs: ["s", "g"], outputs: ["m"]),
            Node(name: "sub", opType: "Sub", inputs: ["m", "a"], outputs: ["y"]),
        ], inputs: ["a": [1, 4, 5, 5], "b": [1, 4, 5, 5], "g": [1, 4, 1, 1]], initializers: [:], outputs: ["y"], mode: mode)
    }

    @Test(arguments: [QuantizationMode.int8, .int16x8])
    func poolingAndMean(_ mode: QuantizationMode) throws {
        try check([
            Node(name: "avg", opType: "AveragePool", inputs: ["x"], outputs: ["p"], attributes: ["kernel_shape": .ints([3, 3]), "pads": .ints([1, 1, 1, 1]), "strides": .ints([2, 2])]),
            Node(name: "max", opType: "MaxPool", inputs: ["p"], outputs: ["q"], attributes: ["kernel_shape": .ints([2, 2])]),
            Node(name: "gap", opType: "GlobalAveragePool", inputs: ["q"], outputs: ["y"]),
        ], inputs: ["x": [1, 3, 10, 10]], initializers: [:], outputs: ["y"], mode: mode)
    }
}

@Suite struct QuantizationTests {
    func quantize(_ fixture: String, method: CalibrationMethod = .minmax, samples: Int = 16,
                  floatIO: Bool = true) throws -> (Model, Model, [[String: Tensor]]) {
        let path = ModelComparison.fixturesDirectory.appendingPathComponent("\(fixture)/model.onnx").path
        let source = try ONNXReader.loadModel(path: path)
        let (float, _) = try PassPipeline.standard(fuseActivations: false).run(source)
        let calibration = try fixtureSamples(fixture, "calibration", limit: samples, model: source)
        let names = float.graph.nodes.flatMap(\.outputs).filter { !$0.isEmpty } + float.graph.runtimeInputs.map(\.name)
        let stats = try ActivationRecorder.record(model: float, names: names, samples: calibration, method: method, threads: 2)
        let options = QuantizationOptions(mode: .int8, calibration: method, floatInputsOutputs: floatIO)
        let quantized = try QDQQuantizer(options: options, statistics: stats).apply(to: float)
        return (source, quantized, try fixtureSamples(fixture, "eval", limit: 8, model: source))
    }

    /// The recorder keeps the model's outputs from its own runs, in sample order and with the
    /// statistics unchanged, for any thread count; over its byte budget it keeps none.
    @Test func recorderKeepsOutputsWithinItsBudget() throws {
        let path = ModelComparison.fixturesDirectory.appendingPathComponent("digits_cnn/model.onnx").path
        let float = try ONNXReader.loadModel(path: path)
        let samples = try fixtureSamples("digits_cnn", "calibration", limit: 5, model: float)
        let names = float.graph.nodes.flatMap(\.outputs).filter { !$0.isEmpty }
        let plain = try ActivationRecorder.record(model: float, names: names, samples: samples, method: .minmax, threads: 1)
        let session = try InferenceSession(model: float)
        for threads in [1, 2, 3] {
            let kept = try ActivationRecorder.recordKeepingOutputs(model: float, names: names, samples: samples, method: .minmax, threads: threads)
            #expect(kept.statistics.mapValues(\.min) == plain.mapValues(\.min) && kept.statistics.mapValues(\.max) == plain.mapValues(\.max))
            let outputs = try #require(kept.outputs)
            #expect(outputs.count == samples.count)
            for (sample, output) in zip(samples, outputs) {
                let expected = try session.runNamed(sample)
                #expect(output.keys.sorted() == expected.keys.sorted())
                for (name, tensor) in expected { #expect(output[name]?.elements(as: Float.self) == tensor.elements(as: Float.self)) }
            }
            let over = try ActivationRecorder.recordKeepingOutputs(model: float, names: names, samples: samples, method: .minmax,
                                                                   threads: threads, outputBudget: 64)
            #expect(over.outputs == nil)
        }
    }

    /// The activations the quantizer fuses away need no statistics: calibrating without them
    /// (which lets the runtime compute each Conv and its Clip in one pass) gives the same
    /// quantized model, also with layers kept float and in 16×8 mode.
    @Test(arguments: ["mobilenet_v2_w035", "digits_cnn"])
    func fusedAwayActivationsNeedNoStatistics(_ fixture: String) throws {
        let path = ModelComparison.fixturesDirectory.appendingPathComponent("\(fixture)/model.onnx").path
        let float = try ONNXReader.loadModel(path: path)
        let samples = try fixtureSamples(fixture, "calibration", limit: 4, model: float)
        let every = float.graph.runtimeInputs.map(\.name) + float.graph.nodes.flatMap(\.outputs).filter { !$0.isEmpty }
        let all = try ActivationRecorder.record(model: float, names: every, samples: samples, method: .minmax, threads: 2)
        let firstConv = try #require(float.graph.nodes.first { $0.opType == "Conv" }).name
        for (mode, keep) in [(QuantizationMode.int8, Set<String>()), (.int8, [firstConv]), (.int16x8, [])] {
            var options = QuantizationOptions(mode: mode, keepFloat: keep)
            let skipped = QDQQuantizer(options: options, statistics: [:]).fusedActivationInputs(float.graph)
            #expect(!skipped.isEmpty)
            let expected = try QDQQuantizer(options: options, statistics: all).apply(to: float)
            options.uncalibrated = skipped
            let fewer = try ActivationRecorder.record(model: float, names: every.filter { !skipped.contains($0) }, samples: samples,
                                                      method: .minmax, threads: 2)
            #expect(fewer.count == all.count - skipped.count)
            let actual = try QDQQuantizer(options: options, statistics: fewer).apply(to: float)
            #expect(try ONNXWriter.serialize(actual) == ONNXWriter.serialize(expected), "\(fixture) \(mode) keeping \(keep)")
        }
    }

    /// Trained fixtures keep their decisions under int8 whatever the calibration method; the
    /// integer kernels (TFLite arithmetic) stay close to the QDQ graph they were lowered from.
    @Test(arguments: ["digits_cnn", "sklearn_mlp"])
    func int8KeepsTrainedModelsDecisions(_ fixture: String) throws {
        for method in CalibrationMethod.allCases {
            let (source, quantized, eval) = try quantize(fixture, method: method)
            #expect(quantized.graph.nodes.contains { $0.opType == "QuantizeLinear" })
            let float = try InferenceSession(model: source)
            let qdq = try InferenceSession(model: quantized)
            let integer = try InferenceSession(model: quantized, options: SessionOptions(integerArithmetic: .double))
            var agree = 0
            for feed in eval {
                let expected = firstFloat(try float.run(feed))
                let fake = firstFloat(try qdq.run(feed))
                let device = firstFloat(try integer.run(feed))
                if argmax(expected) == argmax(device) { agree += 1 }
                #expect(cosine(fake, device) > 0.999, "\(fixture) \(method): integer vs QDQ cosine \(cosine(fake, device))")
                if method == .minmax { #expect(cosine(expected, fake) > 0.99, "\(fixture): QDQ cosine \(cosine(expected, fake))") }
            }
            #expect(agree == eval.count, "\(fixture) \(method): top-1 agrees on \(agree) of \(eval.count)")
        }
    }

    /// The MobileNet fixtures have seeded random weights, which amplify rounding noise layer
    /// after layer (measured cosine to float 0.88–0.95 at the logits with min-max, for the
    /// QDQ graph and its integer lowering alike; a one-step rounding difference in an early
    /// layer grows the same way). IntegerKernelTests checks each kernel to one step.
    @Test(arguments: ["mobilenet_v2_w035", "mobilenet_v3_small_w050"])
    func randomWeightMobileNetsStayNearFloat(_ fixture: String) throws {
        let (source, quantized, eval) = try quantize(fixture)
        let float = try InferenceSession(model: source)
        let qdq = try InferenceSession(model: quantized)
        let integer = try InferenceSession(model: quantized, options: SessionOptions(integerArithmetic: .double))
        for feed in eval.prefix(4) {
            let expected = firstFloat(try float.run(feed))
            let fake = firstFloat(try qdq.run(feed))
            let device = firstFloat(try integer.run(feed))
            #expect(cosine(expected, device) > 0.85, "\(fixture): integer vs float cosine \(cosine(expected, device))")
            #expect(cosine(expected, fake) > 0.85, "\(fixture): QDQ vs float cosine \(cosine(expected, fake))")
        }
    }

    @Test func integerLoweringReplacesTheQDQPatterns() throws {
        let (_, quantized, _) = try quantize("mobilenet_v2_w035")
        let lowered = try IntegerLowering.lower(quantized.graph, rounding: .double)
        let ops = Dictionary(grouping: lowered.nodes, by: \.opType).mapValues(\.count)
        #expect(ops["IntegerConv"] == 52, "\(ops)")
        #expect(ops["IntegerAdd"] == 10, "\(ops)")
        #expect(ops["IntegerMean"] == 1, "\(ops)")
        #expect(ops["IntegerFullyConnected"] == 1, "\(ops)")
        #expect(ops["Conv"] == nil && ops["Clip"] == nil, "\(ops)")
        // Only the model's float input and output cross the integer domain.
        #expect(ops["QuantizeLinear"] == 1 && ops["DequantizeLinear"] == 1, "\(ops)")
    }

    @Test func integerIOModelsTakeAndGiveInt8() throws {
        let (_, quantized, eval) = try quantize("digits_cnn", floatIO: false)
        #expect(quantized.graph.inputs[0].type?.dataType == .int8)
        #expect(quantized.graph.outputs[0].type?.dataType == .int8)
        let session = try InferenceSession(model: quantized, options: SessionOptions(integerArithmetic: .single))
        let lowered = try IntegerLowering.lower(quantized.graph, rounding: .single)
        #expect(!lowered.nodes.contains { $0.opType == "QuantizeLinear" || $0.opType == "DequantizeLinear" })
        let dq = quantized.graph.nodes.first { $0.opType == "DequantizeLinear" && $0.inputs[0] == "input" }!
        let scale = quantized.graph.initializers[dq.inputs[1]]!.elements(as: Float.self)[0]
        let zero = quantized.graph.initializers[dq.inputs[2]]!.integers()[0]
        let x = eval[0]["input"]!.elements(as: Float.self).map { Int8(max(-128, min(127, Int(($0 / scale).rounded()) + zero))) }
        let out = try session.run(["input": Tensor(shape: [1, 1, 8, 8], values: x)])
        #expect(out[0].dataType == .int8 && out[0].shape == [1, 10])
    }

    @Test func quantizationIsDeterministic() throws {
        let (_, a, _) = try quantize("digits_cnn", method: .entropy)
        let (_, b, _) = try quantize("digits_cnn", method: .entropy)
        #expect(a.graph.nodes.map(\.name) == b.graph.nodes.map(\.name))
        for name in a.graph.initializerOrder {
            let x = a.graph.initializers[name]!, y = b.graph.initializers[name]
            #expect(y != nil && Data(bytes: x.storage.bytes, count: x.byteCount) == Data(bytes: y!.storage.bytes, count: y!.byteCount), "\(name)")
        }
    }

    @Test func weightOnlyModes() throws {
        let path = ModelComparison.fixturesDirectory.appendingPathComponent("digits_cnn/model.onnx").path
        let source = try ONNXReader.loadModel(path: path)
        let feeds = try fixtureSamples("digits_cnn", "eval", limit: 2, model: source)
        let expected = try InferenceSession(model: source).run(feeds[0])[0].elements(as: Float.self)
        for mode in [QuantizationMode.fp16, .dynamic] {
            let q = try WeightOnlyQuantizer(mode: mode).apply(to: try PassPipeline.standard(fuseActivations: false).run(source).0)
            let types = Set(q.graph.initializers.values.map(\.dataType))
            #expect(types.contains(mode == .fp16 ? .float16 : .int8))
            let got = try InferenceSession(model: q).run(feeds[0])[0].elements(as: Float.self)
            #expect(cosine(expected, got) > (mode == .fp16 ? 0.99999 : 0.999), "\(mode): \(cosine(expected, got))")
        }
    }
}

/// Block weight-only quantization: ONNX Runtime's MatMulNBits form (below opset 21) and the
/// standard blocked DequantizeLinear (opset 21) hold the same values and compute the same
/// product; a K that is not a multiple of the block size pads with the zero point.
@Suite struct BlockWeightQuantizerTests {
    func model(opset: Int, gemm: Bool) -> Model {
        var g = SplitMix64(seed: 7)
        let w = Tensor(shape: gemm ? [24, 40] : [40, 24], values: (0..<960).map { _ in Float(g.unit()) * 2 - 1 })
        var nodes = [Node(name: "mm", opType: gemm ? "Gemm" : "MatMul", inputs: gemm ? ["x", "w", "b"] : ["x", "w"], outputs: ["y"],
                          attributes: gemm ? ["transB": .int(1)] : [:])]
        if !gemm { nodes.append(Node(name: "id", opType: "Identity", inputs: ["y"], outputs: ["z"])) }
        var initializers = ["w": w]
        if gemm { initializers["b"] = Tensor(shape: [24], values: (0..<24).map { Float($0) / 10 }) }
        let graph = Graph(nodes: nodes, inputs: [ValueInfo(name: "x", type: ValueType(dataType: .float32, dims: [3, 40]))],
                          outputs: [ValueInfo(name: gemm ? "y" : "z", type: nil)], initializers: initializers)
        return Model(graph: graph, opsets: ["": opset])
    }

    @Test(arguments: [4, 8], [false, true])
    func bothFormsComputeTheSameProduct(_ bits: Int, _ gemm: Bool) throws {
        var g = SplitMix64(seed: 3)
        let x = Tensor(shape: [3, 40], values: (0..<120).map { _ in Float(g.unit()) - 0.5 })
        let pass = BlockWeightQuantizer(bits: bits, blockSize: 16)
        let old = try pass.apply(to: model(opset: 17, gemm: gemm)), new = try pass.apply(to: model(opset: 21, gemm: gemm))
        #expect(old.graph.nodes.contains { $0.opType == "MatMulNBits" && $0.domain == "com.microsoft" })
        #expect(new.graph.nodes.contains { if case .int(16)? = $0.attributes["block_size"] { return $0.opType == "DequantizeLinear" } else { return false } })
        let float = try InferenceSession(model: model(opset: 17, gemm: gemm)).run(["x": x])[0].elements(as: Float.self)
        let a = try InferenceSession(model: old).run(["x": x])[0].elements(as: Float.self)
        let b = try InferenceSession(model: new).run(["x": x])[0].elements(as: Float.self)
        #expect(zip(a, b).allSatisfy { abs($0 - $1) <= 1e-5 }, "MatMulNBits and blocked DequantizeLinear differ")
        let error = zip(a, float).map { abs($0 - $1) }.max() ?? 0
        #expect(error < (bits == 4 ? 0.3 : 0.02), "\(bits)-bit error \(error)")
        #expect(error > 0, "nothing was quantized")
    }
}

/// Per-channel weight quantization (a C loop) against the formula it implements, written out in
/// Swift: scale = max|w| / qmax per channel, round half away from zero, clamp to ±qmax.
@Suite struct WeightQuantizerTests {
    func expected(_ w: [Float], outer: Int, channels: Int, inner: Int, qmax: Float) -> ([Int8], [Float]) {
        var absMax = [Float](repeating: 0, count: channels)
        for o in 0..<outer { for c in 0..<channels { for i in 0..<inner { absMax[c] = max(absMax[c], abs(w[(o * channels + c) * inner + i])) } } }
        let scales = absMax.map { $0 > 0 ? $0 / qmax : 1 }
        var q = [Int8](repeating: 0, count: w.count)
        for o in 0..<outer { for c in 0..<channels { for i in 0..<inner {
            let index = (o * channels + c) * inner + i
            q[index] = Int8(min(max((w[index] / scales[c]).rounded(.toNearestOrAwayFromZero), -qmax), qmax))
        } } }
        return (q, scales)
    }

    @Test(arguments: [([6, 5, 3, 3], 0), ([40, 24], 1), ([3, 7, 11], 1), ([4, 0, 2], 0)])
    func matchesTheFormula(shape: [Int], axis: Int) throws {
        var g = SplitMix64(seed: UInt64(shape.reduce(1, *) + axis))
        let count = shape.reduce(1, *)
        // Whole and half multiples of the scale too (ties round away from zero), −0 and a zero channel.
        var w = (0..<count).map { i -> Float in
            switch i % 9 {
            case 0: return Float(Int(g.unit() * 20) - 10) * 0.5
            case 1: return -0.0
            default: return Float(g.unit() * 6 - 3)
            }
        }
        if axis == 1 && shape.count == 2 { for o in 0..<shape[0] { w[o * shape[1]] = 0 } }
        for bits in [8, 7] {
            let qmax = Float((1 << (bits - 1)) - 1)
            let (q, scales) = try WeightQuantizer.perChannel(Tensor(shape: shape, values: w), axis: axis, bits: bits, name: "w")
            let outer = shape[..<axis].reduce(1, *), inner = shape[(axis + 1)...].reduce(1, *)
            let (eq, es) = expected(w, outer: outer, channels: shape[axis], inner: inner, qmax: qmax)
            #expect(q.elements(as: Int8.self) == eq)
            #expect(scales.map(\.bitPattern) == es.map(\.bitPattern))
        }
    }

    /// A NaN or infinite weight is refused by name (it used to trap converting NaN to Int8).
    @Test func nonFiniteWeightsAreRefusedByName() {
        for bad in [Float.nan, .infinity, -.infinity] {
            #expect(throws: PassError.nonFiniteWeight(name: "conv.weight")) {
                try WeightQuantizer.perChannel(Tensor(shape: [2, 2], values: [1, bad, 0.5, 2]), axis: 0, name: "conv.weight")
            }
        }
    }
}
