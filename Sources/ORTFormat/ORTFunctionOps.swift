import FerryIR

/// ai.onnx ops that ONNX Runtime's CPU provider has no kernel for: it runs them as their ONNX
/// function body, expanded while it loads an ONNX file. An ORT format file is loaded as it is,
/// so such a node must be written already expanded. Taken from onnxruntime 1.32
/// (`get_all_opkernel_def()` against onnx's function ops; tests/test_onnx_target.py fails
/// when the list goes stale).
enum ORTFunctionOps {
    static let withoutKernel: Set<String> = [
        "Bernoulli", "CastLike", "CausalConvWithState", "CenterCropPad", "GroupNormalization", "HardSwish", "LinearAttention",
        "Mish", "NegativeLogLikelihoodLoss", "SequenceMap", "SoftmaxCrossEntropyLoss", "SwiGLU", "Swish",
    ]

    /// The nodes with the function ops Ferry can spell out replaced by their bodies (HardSwish:
    /// x · HardSigmoid(x; 1/6, 0.5)); `types` gains the new values' types. Others are refused.
    static func expand(_ nodes: [Node], types: inout [String: ValueType], used: inout Set<String>) throws -> [Node] {
        var result: [Node] = []
        for node in nodes {
            guard (node.domain.isEmpty || node.domain == "ai.onnx") && withoutKernel.contains(node.opType) else {
                result.append(node)
                continue
            }
            guard node.opType == "HardSwish" else {
                throw ORTError.unsupported(what: "node \(node.label)", reason: "has no ONNX Runtime kernel (ONNX Runtime expands \(node.opType)'s ONNX function while loading an ONNX file, which an ORT file skips); Ferry spells out only HardSwish")
            }
            var gate = "\(node.outputs[0])_hardsigmoid", counter = 1
            while used.contains(gate) { gate = "\(node.outputs[0])_hardsigmoid_\(counter)"; counter += 1 }
            used.insert(gate)
            types[gate] = types[node.inputs[0]]
            result.append(Node(name: "\(node.name)_hardsigmoid", opType: "HardSigmoid", inputs: [node.inputs[0]], outputs: [gate],
                               attributes: ["alpha": .float(1.0 / 6.0), "beta": .float(0.5)]))
            result.append(Node(name: node.name, opType: "Mul", inputs: [node.inputs[0], gate], outputs: node.outputs))
        }
        return result
    }
}
