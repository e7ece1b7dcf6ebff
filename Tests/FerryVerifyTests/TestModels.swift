import FerryIR
import TensorIO

/// Small models built in code for the verifier's tests.
enum TestModels {
    static func model(_ nodes: [Node], inputs: [ValueInfo], outputs: [ValueInfo], initializers: [String: Tensor]) -> Model {
        Model(graph: Graph(name: "test", nodes: nodes, inputs: inputs, outputs: outputs, initializers: initializers), opsets: ["": 17])
    }

    static func float(_ name: String, _ dims: [Int]) -> ValueInfo {
        ValueInfo(name: name, type: ValueType(dataType: .float32, dims: dims))
    }

    /// x[1,4] → MatMul w1 → a → Relu → b → MatMul w2 → c → Add bias → logits[1,3].
    /// `perturb` scales one named weight's elements by alternating factors, so its layer drifts.
    static func mlp(perturb: String? = nil) -> Model {
        var w1: [Float] = (0..<16).map { Float(($0 * 7) % 11) / 10 - 0.4 }
        var w2: [Float] = (0..<12).map { Float(($0 * 5) % 13) / 10 - 0.5 }
        if perturb == "w1" { w1 = w1.enumerated().map { $0.offset % 2 == 0 ? -$0.element : $0.element * 3 } }
        if perturb == "w2" { w2 = w2.enumerated().map { $0.offset % 2 == 0 ? -$0.element : $0.element * 3 } }
        return model([
            Node(name: "mm1", opType: "MatMul", inputs: ["x", "w1"], outputs: ["a"]),
            Node(name: "relu", opType: "Relu", inputs: ["a"], outputs: ["b"]),
            Node(name: "mm2", opType: "MatMul", inputs: ["b", "w2"], outputs: ["c"]),
            Node(name: "bias", opType: "Add", inputs: ["c", "b2"], outputs: ["logits"]),
        ], inputs: [float("x", [1, 4])], outputs: [float("logits", [1, 3])], initializers: [
            "w1": Tensor(shape: [4, 4], values: w1),
            "w2": Tensor(shape: [4, 3], values: w2),
            "b2": Tensor(shape: [3], values: [Float](arrayLiteral: 0.1, -0.2, 0.3)),
        ])
    }

    /// `count` samples for `mlp`, fixed values.
    static func mlpSamples(_ count: Int) -> SampleSet {
        SampleSet(samples: (0..<count).map { i -> [String: Tensor] in
            let values: [Float] = (0..<4).map { j -> Float in Float((i * 3 + j * 5) % 7) / 3 - 0.6 }
            return ["x": Tensor(shape: [1, 4], values: values)]
        })
    }

    /// Source: x[1,4] → Mul 2 → h → Relu → y. Candidate: the same in QDQ form with integer I/O,
    /// keeping the names: int8 graph input `x` read by a DequantizeLinear (scale 0.5, zero point
    /// 0), int8 graph output `y` written by a QuantizeLinear (scale 0.25, zero point -10), and
    /// `h` quantized and dequantized in between (scale 0.125).
    static func qdqPair() -> (source: Model, candidate: Model) {
        let source = model([
            Node(name: "double", opType: "Mul", inputs: ["x", "two"], outputs: ["h"]),
            Node(name: "relu", opType: "Relu", inputs: ["h"], outputs: ["y"]),
        ], inputs: [float("x", [1, 4])], outputs: [float("y", [1, 4])], initializers: ["two": Tensor(scalar: Float(2))])
        let int8 = { (name: String) in ValueInfo(name: name, type: ValueType(dataType: .int8, dims: [1, 4])) }
        let candidate = model([
            Node(name: "dq_x", opType: "DequantizeLinear", inputs: ["x", "s_x", "z_x"], outputs: ["x_f"]),
            Node(name: "double", opType: "Mul", inputs: ["x_f", "two"], outputs: ["h"]),
            Node(name: "q_h", opType: "QuantizeLinear", inputs: ["h", "s_h", "z_h"], outputs: ["h_q"]),
            Node(name: "dq_h", opType: "DequantizeLinear", inputs: ["h_q", "s_h", "z_h"], outputs: ["h_dq"]),
            Node(name: "relu", opType: "Relu", inputs: ["h_dq"], outputs: ["y_f"]),
            Node(name: "q_y", opType: "QuantizeLinear", inputs: ["y_f", "s_y", "z_y"], outputs: ["y"]),
        ], inputs: [int8("x")], outputs: [int8("y")], initializers: [
            "two": Tensor(scalar: Float(2)),
            "s_x": Tensor(scalar: Float(0.5)), "z_x": Tensor(scalar: Int8(0)),
            "s_h": Tensor(scalar: Float(0.125)), "z_h": Tensor(scalar: Int8(0)),
            "s_y": Tensor(scalar: Float(0.25)), "z_y": Tensor(scalar: Int8(-10)),
        ])
        return (source, candidate)
    }
}
