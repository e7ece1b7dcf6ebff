import FerryIR
import FerryRuntime
import Testing

/// A run computes Conv→Clip and QuantizeLinear→DequantizeLinear as one kernel when nobody
/// observes the values between them; the results must be the bits the nodes give one by one.
@Suite struct StepChainTests {
    /// Deterministic values in [−4, 4) with NaN, ±∞, −0 and out-of-range values mixed in.
    func values(_ count: Int, seed: UInt64, specials: Bool) -> [Float] {
        var state = seed
        let special: [Float] = [.nan, .infinity, -.infinity, -0.0, 0, 1e30, -1e30, 127.5, -128.5]
        return (0..<count).map { i in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            if specials && i % 7 == 3 { return special[Int(state >> 33) % special.count] }
            return Float(Int(state >> 40) % 8000) / 1000 - 4
        }
    }

    func scalar(_ v: Float) -> Tensor { Tensor(shape: [], values: [v]) }

    /// conv → Clip → Q(int8) → DQ → depthwise conv → Q(uint8) → DQ → Q(int16) → DQ → 1×1 conv
    /// → Clip(min only) → y; one Conv output is also a graph output, so it is not fused.
    func model(opset: Int = 17) -> Model {
        var initializers: [String: Tensor] = [
            "w1": Tensor(shape: [8, 4, 3, 3], values: values(288, seed: 1, specials: false)),
            "b1": Tensor(shape: [8], values: values(8, seed: 2, specials: false)),
            "w2": Tensor(shape: [8, 1, 3, 3], values: values(72, seed: 3, specials: false)),
            "w3": Tensor(shape: [5, 8, 1, 1], values: values(40, seed: 4, specials: false)),
            "w4": Tensor(shape: [3, 5, 1, 1], values: values(15, seed: 5, specials: false)),
            "s1": scalar(0.04), "z1": Tensor(shape: [], values: [Int8(3)]),
            "s2": scalar(0.03), "z2": Tensor(shape: [], values: [UInt8(128)]),
            "s3": scalar(0.001), "z3": Tensor(shape: [], values: [Int16(0)]),
            "lo": scalar(0), "hi": scalar(6), "lo2": scalar(-0.5),
        ]
        let clip: [Node]
        if opset < 11 {
            initializers["lo"] = nil; initializers["hi"] = nil; initializers["lo2"] = nil
            clip = [Node(name: "clip1", opType: "Clip", inputs: ["c1"], outputs: ["r1"], attributes: ["min": .float(0), "max": .float(6)]),
                    Node(name: "clip2", opType: "Clip", inputs: ["c3"], outputs: ["y"], attributes: ["min": .float(-0.5)])]
        } else {
            clip = [Node(name: "clip1", opType: "Clip", inputs: ["c1", "lo", "hi"], outputs: ["r1"]),
                    Node(name: "clip2", opType: "Clip", inputs: ["c3", "lo2"], outputs: ["y"])]
        }
        let nodes = [
            Node(name: "conv1", opType: "Conv", inputs: ["x", "w1", "b1"], outputs: ["c1"], attributes: ["pads": .ints([1, 1, 1, 1])]),
            clip[0],
            Node(name: "q1", opType: "QuantizeLinear", inputs: ["r1", "s1", "z1"], outputs: ["q1"]),
            Node(name: "dq1", opType: "DequantizeLinear", inputs: ["q1", "s1", "z1"], outputs: ["d1"]),
            Node(name: "conv2", opType: "Conv", inputs: ["d1", "w2"], outputs: ["c2"],
                 attributes: ["group": .int(8), "pads": .ints([1, 1, 1, 1]), "strides": .ints([2, 2])]),
            Node(name: "q2", opType: "QuantizeLinear", inputs: ["c2", "s2", "z2"], outputs: ["q2"]),
            Node(name: "dq2", opType: "DequantizeLinear", inputs: ["q2", "s2", "z2"], outputs: ["d2"]),
            Node(name: "q3", opType: "QuantizeLinear", inputs: ["d2", "s3", "z3"], outputs: ["q3"]),
            Node(name: "dq3", opType: "DequantizeLinear", inputs: ["q3", "s3", "z3"], outputs: ["d3"]),
            Node(name: "conv3", opType: "Conv", inputs: ["d3", "w3"], outputs: ["c3"]),
            clip[1],
            Node(name: "conv4", opType: "Conv", inputs: ["c3", "w4"], outputs: ["side"]),
        ]
        let graph = Graph(nodes: nodes, inputs: [ValueInfo(name: "x", type: ValueType(dataType: .float32, shape: [.fixed(2), .fixed(4), .fixed(9), .fixed(9)]))],
                          outputs: [ValueInfo(name: "y", type: nil), ValueInfo(name: "side", type: nil), ValueInfo(name: "c2", type: nil)],
                          initializers: initializers)
        return Model(graph: graph, opsets: ["": opset])
    }

    func bits(_ t: Tensor) -> [UInt32] { t.elements(as: Float.self).map(\.bitPattern) }

    @Test(arguments: [17, 10])
    func fusedRunsGiveTheBitsOfNodeByNode(opset: Int) throws {
        let m = model(opset: opset)
        let session = try InferenceSession(model: m, options: SessionOptions(threads: 2))
        let feeds = ["x": Tensor(shape: [2, 4, 9, 9], values: values(648, seed: 9, specials: true))]
        let profiler = Profiler()
        let fused = try session.run(feeds, profiler: profiler)
        // Observing every value leaves nothing to fuse: each node runs on its own.
        var seen: [String: Tensor] = [:]
        let single = try session.run(feeds, observing: Set(session.valueNames)) { seen[$0] = $1 }
        for (a, b) in zip(fused, single) { #expect(bits(a) == bits(b)) }
        #expect(seen["q1"]?.dataType == .int8 && seen["c1"] != nil)
        let ran = Set(profiler.summary.map(\.opType))
        // c2 is a graph output, so its Q→DQ runs as a pair of its own; c3 has two readers.
        #expect(ran == ["Conv+Clip+QuantizeLinear+DequantizeLinear", "Conv", "QuantizeLinear+DequantizeLinear", "Clip"])
        // The values do go through the special cases (saturation, NaN, infinities).
        #expect(seen["c1"]!.elements(as: Float.self).contains { !$0.isFinite })
        #expect(seen["q1"]!.elements(as: Int8.self).contains(-128) && seen["q1"]!.elements(as: Int8.self).contains(127))
    }

    /// Observing a value inside a chain runs that chain node by node (and hands the value over);
    /// a stepwise run gives the same bits.
    @Test func observingAHiddenValueUnfusesItsChain() throws {
        let session = try InferenceSession(model: model())
        let feeds = ["x": Tensor(shape: [2, 4, 9, 9], values: values(648, seed: 11, specials: true))]
        let expected = try session.run(feeds)
        var clipped: Tensor?
        let profiler = Profiler()
        let observed = try session.run(feeds, observing: ["r1"], profiler: profiler) { _, value in clipped = value }
        #expect(clipped?.shape == [2, 8, 9, 9])
        // Conv+Clip+Q+DQ falls back to its Q→DQ pair, whose integer value nobody observes.
        let ran = profiler.summary.map(\.opType)
        #expect(ran.contains("QuantizeLinear+DequantizeLinear") && ran.contains("Conv") && ran.contains("Clip"))
        #expect(!ran.contains("QuantizeLinear") && !ran.contains("DequantizeLinear"))
        #expect(clipped!.elements(as: Float.self).allSatisfy { $0.isNaN || (0...6).contains($0) })
        let run = try session.start(feeds, observing: ["q1"])
        var quantized: Tensor?
        while try run.advance({ _, value in quantized = value }) {}
        #expect(quantized?.dataType == .int8)
        for (a, b) in zip(expected, observed) { #expect(bits(a) == bits(b)) }
        for (a, b) in zip(expected, try run.outputs()) { #expect(bits(a) == bits(b)) }
    }

    /// The convolution applies the fake quantization as it goes on each of its paths: depthwise
    /// (several channel chunks), the prepacked GEMM (a 1×1 layer with small K) and, with a weight
    /// that is not a constant, the plain GEMM; the bits are those of the nodes one by one.
    @Test func convolutionsQuantizeAsTheyStore() throws {
        let nodes = [
            Node(name: "dw", opType: "Conv", inputs: ["x", "wd", "bd"], outputs: ["c1"],
                 attributes: ["group": .int(40), "pads": .ints([1, 1, 1, 1])]),
            Node(name: "q1", opType: "QuantizeLinear", inputs: ["c1", "s1", "z1"], outputs: ["q1"]),
            Node(name: "dq1", opType: "DequantizeLinear", inputs: ["q1", "s1", "z1"], outputs: ["d1"]),
            Node(name: "pw", opType: "Conv", inputs: ["d1", "wp"], outputs: ["c2"]),
            Node(name: "clip", opType: "Clip", inputs: ["c2", "lo", "hi"], outputs: ["r2"]),
            Node(name: "q2", opType: "QuantizeLinear", inputs: ["r2", "s2", "z2"], outputs: ["q2"]),
            Node(name: "dq2", opType: "DequantizeLinear", inputs: ["q2", "s2", "z2"], outputs: ["d2"]),
            Node(name: "free", opType: "Conv", inputs: ["d2", "wf"], outputs: ["c3"]),
            Node(name: "q3", opType: "QuantizeLinear", inputs: ["c3", "s1", "z1"], outputs: ["q3"]),
            Node(name: "dq3", opType: "DequantizeLinear", inputs: ["q3", "s1", "z1"], outputs: ["y"]),
        ]
        let initializers: [String: Tensor] = [
            "wd": Tensor(shape: [40, 1, 3, 3], values: values(360, seed: 21, specials: false)),
            "bd": Tensor(shape: [40], values: values(40, seed: 22, specials: false)),
            "wp": Tensor(shape: [24, 40, 1, 1], values: values(960, seed: 23, specials: false)),
            "s1": scalar(0.05), "z1": Tensor(shape: [], values: [Int8(-2)]),
            "s2": scalar(0.02), "z2": Tensor(shape: [], values: [UInt8(0)]),
            "lo": scalar(0), "hi": scalar(6),
        ]
        let graph = Graph(nodes: nodes, inputs: [ValueInfo(name: "x", type: nil), ValueInfo(name: "wf", type: nil)],
                          outputs: [ValueInfo(name: "y", type: nil)], initializers: initializers)
        let session = try InferenceSession(model: Model(graph: graph, opsets: ["": 17]), options: SessionOptions(threads: 2))
        let feeds = ["x": Tensor(shape: [1, 40, 33, 33], values: values(40 * 33 * 33, seed: 24, specials: true)),
                     "wf": Tensor(shape: [6, 24, 1, 1], values: values(144, seed: 25, specials: false))]
        let profiler = Profiler()
        let fused = try session.run(feeds, profiler: profiler)
        let single = try session.run(feeds, observing: Set(session.valueNames)) { _, _ in }
        #expect(Set(profiler.summary.map(\.opType)) == ["Conv+QuantizeLinear+DequantizeLinear", "Conv+Clip+QuantizeLinear+DequantizeLinear"])
        for (a, b) in zip(fused, single) { #expect(bits(a) == bits(b)) }
        // Saturated and mid-range values both come out (the quantization did run).
        let y = fused[0].elements(as: Float.self)
        #expect(y.contains(0.05 * 129) && y.contains { $0 != 0 && abs($0) < 1 })
    }

    /// A float16 input takes the nodes' own paths (the fused kernels compute float32 only).
    @Test func float16InputRunsAsWritten() throws {
        let nodes = [
            Node(name: "q", opType: "QuantizeLinear", inputs: ["x", "s", "z"], outputs: ["q"]),
            Node(name: "dq", opType: "DequantizeLinear", inputs: ["q", "s", "z"], outputs: ["y"]),
        ]
        let graph = Graph(nodes: nodes, inputs: [ValueInfo(name: "x", type: nil)], outputs: [ValueInfo(name: "y", type: nil)],
                          initializers: ["s": scalar(0.25), "z": Tensor(shape: [], values: [Int8(-1)])])
        let session = try InferenceSession(model: Model(graph: graph, opsets: ["": 13]))
        let x = Tensor(shape: [4], values: [Float16(0.3), Float16(-40), Float16(1.13), Float16(100)])
        let profiler = Profiler()
        let y = try session.run(["x": x], profiler: profiler)[0]
        let unfused = try session.run(["x": x], observing: ["q"]) { _, _ in }[0]
        #expect(profiler.summary.map(\.opType) == ["QuantizeLinear+DequantizeLinear"])
        #expect(bits(y) == bits(unfused))
        #expect(y.elements(as: Float.self) == [0.25, -31.75, 1.25, 32])
    }
}
