import FerryIR

/// Turns a QDQ graph into the integer graph TFLite stores: a float op whose data inputs come
/// from DequantizeLinear and whose result (after an optional Relu/Clip TFLite fuses) goes to one
/// QuantizeLinear reads the quantized values and writes the quantized result directly. What
/// is left of the QDQ pairs becomes TFLite's QUANTIZE (float → int, or int → int to requantize)
/// and DEQUANTIZE ops; a float op between them stays float (a layer the drift budget kept).
///
/// The rewritten graph names every quantized value; `quantization` holds its parameters.
struct QDQFolding {
    /// Ops TFLite runs on int8 (and int16) tensors as one builtin, and their data inputs
    /// (nil: all inputs). Other inputs must be constants that are not quantized (shapes, axes).
    static let integerOps: [String: [Int]?] = [
        "Conv": [0, 1, 2], "Gemm": [0, 1, 2], "MatMul": [0, 1],
        "Add": [0, 1], "Sub": [0, 1], "Mul": [0, 1],
        "AveragePool": [0], "MaxPool": [0], "GlobalAveragePool": [0], "GlobalMaxPool": [0], "ReduceMean": [0],
        "Reshape": [0], "Flatten": [0], "Squeeze": [0], "Unsqueeze": [0], "Transpose": [0], "Identity": [0],
        "Softmax": [0], "Sigmoid": [0], "Tanh": [0], "HardSwish": [0], "Relu": [0], "LeakyRelu": [0],
        "Pad": [0], "Resize": [0], "Slice": [0], "DepthToSpace": [0], "SpaceToDepth": [0], "Gather": [0],
        "Concat": nil,
    ]
    /// Of those, the ones TFLite has no int16 kernel for: in 16×8 models they stay float
    /// between DEQUANTIZE and QUANTIZE.
    static let noInt16Kernel: Set<String> = ["HardSwish", "DepthToSpace", "SpaceToDepth"]

    var prepared: PreparedGraph
    private(set) var quantization: [String: ValueQuantization] = [:]
    private var producers: [String: Int] = [:]
    private var consumers: [String: [Int]] = [:]

    init(_ prepared: PreparedGraph) {
        self.prepared = prepared
    }

    var graph: Graph { prepared.graph }

    /// Folds every QDQ group it can; returns the rewritten graph and the parameters of every
    /// quantized value in it.
    static func fold(_ prepared: PreparedGraph) -> (PreparedGraph, [String: ValueQuantization]) {
        var folding = QDQFolding(prepared)
        folding.run()
        return (folding.prepared, folding.quantization)
    }

    // MARK: reading QDQ nodes

    private func scalars(_ name: String?) -> [Float]? {
        guard let name, let tensor = prepared.constants[name], tensor.dataType == .float32 else { return nil }
        return tensor.elements(as: Float.self)
    }

    /// Per-tensor parameters of a QuantizeLinear / runtime DequantizeLinear node.
    private func parameters(_ node: Node) -> ValueQuantization? {
        guard node.domain.isEmpty, node.attributes["block_size"] == nil, let scale = scalars(node.input(1)), scale.count == 1 else { return nil }
        var zeroPoint: Int64 = 0
        if let zpName = node.input(2) {
            guard let zp = prepared.constants[zpName], zp.count == 1, [.int8, .int16].contains(zp.dataType) else { return nil }
            zeroPoint = Int64(zp.integers()[0])
        } else if node.opType == "QuantizeLinear" {
            return nil  // uint8 by default, which the int8 spec does not use
        }
        return ValueQuantization(scales: scale, zeroPoints: [zeroPoint], axis: 0)
    }

    /// The quantized runtime value a DequantizeLinear turns into `name`.
    private func runtimeSource(_ name: String) -> String? {
        guard let index = producers[name] else { return nil }
        let node = graph.nodes[index]
        guard node.opType == "DequantizeLinear", prepared.constants[node.inputs[0]] == nil, parameters(node) != nil,
              let type = prepared.types[node.inputs[0]], type == .int8 || type == .int16 else { return nil }
        return node.inputs[0]
    }

    /// The QuantizeLinear that alone reads `value`, possibly through one Relu/Clip TFLite can fuse:
    /// (the QuantizeLinear's index, the activation's index).
    private func sink(_ value: String) -> (quantize: Int, activation: Int?)? {
        guard !graph.isInterface(value), let readers = consumers[value], readers.count == 1 else { return nil }
        var index = readers[0]
        var activation: Int?
        let first = graph.nodes[index]
        if first.domain.isEmpty && (first.opType == "Relu" || first.opType == "Clip") {
            guard fusableBounds(first) else { return nil }
            activation = index
            guard !graph.isInterface(first.outputs[0]), let next = consumers[first.outputs[0]], next.count == 1 else { return nil }
            index = next[0]
        }
        let q = graph.nodes[index]
        guard q.opType == "QuantizeLinear", let params = parameters(q), prepared.types[q.outputs[0]].map({ $0 == .int8 || $0 == .int16 }) == true,
              params.isPerTensor else { return nil }
        return (index, activation)
    }

    /// Relu, or a Clip to [0, 6], [-1, 1] or [0, ∞): TFLite's fused activations.
    private func fusableBounds(_ node: Node) -> Bool {
        if node.opType == "Relu" { return true }
        guard node.attributes.isEmpty else { return false }
        let low = node.input(1).map { scalars($0)?.first } ?? -Float.infinity
        let high = node.input(2).map { scalars($0)?.first } ?? Float.infinity
        guard let low, let high else { return false }
        return (low, high) == (0, 6) || (low, high) == (-1, 1) || (low == 0 && high == .infinity)
    }

    // MARK: folding

    private mutating func refresh() {
        producers = graph.producers()
        consumers = graph.consumers()
    }

    private mutating func run() {
        refresh()
        // Every quantized runtime value: graph inputs and QuantizeLinear outputs.
        for node in graph.nodes {
            if node.opType == "QuantizeLinear", let params = parameters(node) { quantization[node.outputs[0]] = params }
            if node.opType == "DequantizeLinear", prepared.constants[node.inputs[0]] == nil, let params = parameters(node) {
                quantization[node.inputs[0]] = params
            }
        }
        var removed = Set<Int>()
        var nodes = graph.nodes
        for index in graph.nodes.indices where !removed.contains(index) {
            guard let folded = fold(index) else { continue }
            nodes[index] = folded.node
            if let activation = folded.activation { nodes[activation] = folded.activationNode! }
            removed.insert(folded.quantize)
            for (name, tensor) in folded.constants { prepared.constants[name] = tensor; prepared.shapes[name] = tensor.shape; prepared.types[name] = tensor.dataType }
        }
        prepared.graph.nodes = nodes.enumerated().filter { !removed.contains($0.offset) }.map(\.element)
        insertRequantizations()
        removeDeadDequantizations()
    }

    private struct Folded {
        var node: Node
        var quantize: Int
        var activation: Int?
        var activationNode: Node?
        var constants: [String: Tensor]
    }

    private mutating func fold(_ index: Int) -> Folded? {
        let node = graph.nodes[index]
        guard node.domain.isEmpty, let rule = QDQFolding.integerOps[node.opType], node.outputs.count == 1,
              let output = node.outputs.first, !output.isEmpty else { return nil }
        let dataInputs = rule ?? Array(node.inputs.indices)
        var inputs = node.inputs
        var constants: [String: Tensor] = [:]
        var anyRuntime = false
        for position in dataInputs {
            guard let name = node.input(position) else { continue }
            if let source = runtimeSource(name) {
                if prepared.types[source] == .int16 && QDQFolding.noInt16Kernel.contains(node.opType) { return nil }
                inputs[position] = source
                anyRuntime = true
            } else if let origin = prepared.quantizedConstants[name] {
                let stored = name + "/quantized"
                constants[stored] = origin.values
                quantization[stored] = origin.quantization
                inputs[position] = stored
            } else {
                return nil
            }
        }
        // Non-data inputs must not be quantized values themselves.
        for (position, name) in node.inputs.enumerated() where !dataInputs.contains(position) && !name.isEmpty {
            if runtimeSource(name) != nil || prepared.quantizedConstants[name] != nil { return nil }
        }
        guard anyRuntime, checks(node, inputs: inputs, constants: constants) else { return nil }
        guard let (quantize, activation) = sink(output) else { return nil }
        let q = graph.nodes[quantize]
        var rewritten = node
        rewritten.inputs = inputs
        var activationNode: Node?
        if let activation {
            // The op writes its pre-activation value with the activation's output parameters
            // (TFLite clamps through the fused activation); the activation then ends at the
            // QuantizeLinear's output.
            quantization[output] = quantization[q.outputs[0]]
            prepared.types[output] = prepared.types[q.outputs[0]]
            var act = graph.nodes[activation]
            act.outputs = [q.outputs[0]]
            activationNode = act
        } else {
            rewritten.outputs = [q.outputs[0]]
        }
        return Folded(node: rewritten, quantize: quantize, activation: activation, activationNode: activationNode, constants: constants)
    }

    /// Op-specific conditions of the TFLite int8 kernels.
    private func checks(_ node: Node, inputs: [String], constants: [String: Tensor]) -> Bool {
        func int8Weight(_ position: Int, axis: Int) -> Bool {
            guard position < inputs.count, let w = constants[inputs[position]], w.dataType == .int8,
                  let q = quantization[inputs[position]], q.zeroPoints.allSatisfy({ $0 == 0 }) else { return false }
            return q.isPerTensor || q.axis == axis
        }
        func int32Bias(_ position: Int) -> Bool {
            guard position < inputs.count, !inputs[position].isEmpty else { return true }
            guard let b = constants[inputs[position]], b.dataType == .int32, b.rank == 1 else { return false }
            return true
        }
        switch node.opType {
        case "Conv":
            guard let w = constants[inputs[1]], w.rank == 4 else { return false }
            return int8Weight(1, axis: 0) && int32Bias(2)
        case "Gemm":
            for (key, value) in node.attributes {
                switch (key, value) {
                case ("alpha", .float(1)), ("beta", .float(1)), ("transA", .int(0)), ("transB", _): continue
                default: return false
                }
            }
            var transB = false
            if case .int(let t)? = node.attributes["transB"] { transB = t != 0 }
            guard let w = constants[inputs[1]], w.rank == 2 else { return false }
            return int8Weight(1, axis: transB ? 0 : 1) && int32Bias(2)
        case "MatMul":
            if let w = constants[inputs[1]] { return w.rank == 2 && int8Weight(1, axis: 1) }
            return quantization[inputs[1]]?.isPerTensor == true
        case "Pad":
            if let value = node.input(2) { return prepared.constants[value]?.doubles().allSatisfy { $0 == 0 } ?? false }
            return true
        case "Add", "Sub", "Mul", "Concat":
            // Quantized constants of elementwise ops are per tensor in TFLite.
            return inputs.allSatisfy { quantization[$0]?.isPerTensor ?? true }
        default:
            return true
        }
    }

    /// TFLite's int8 CONCATENATION needs its inputs at the output's parameters: an input at other
    /// parameters goes through QUANTIZE (int8 → int8), which requantizes.
    private mutating func insertRequantizations() {
        var nodes: [Node] = []
        for var node in prepared.graph.nodes {
            if node.opType == "Concat", let out = quantization[node.outputs[0]] {
                for (position, input) in node.inputs.enumerated() {
                    guard let q = quantization[input], q != out, prepared.constants[input] == nil else { continue }
                    let requantized = "\(input)/requantized_for_\(node.outputs[0])"
                    quantization[requantized] = out
                    prepared.types[requantized] = prepared.types[node.outputs[0]]
                    prepared.shapes[requantized] = prepared.shapes[input]
                    nodes.append(Node(name: requantized, opType: "QuantizeLinear", inputs: [input], outputs: [requantized]))
                    node.inputs[position] = requantized
                }
            }
            nodes.append(node)
        }
        prepared.graph.nodes = nodes
    }

    private mutating func removeDeadDequantizations() {
        var changed = true
        while changed {
            changed = false
            refresh()
            for index in graph.nodes.indices.reversed() {
                let node = graph.nodes[index]
                guard node.opType == "DequantizeLinear" else { continue }
                if node.outputs.allSatisfy({ consumers[$0] == nil && !graph.isInterface($0) }) {
                    prepared.graph.nodes.remove(at: index)
                    changed = true
                    break
                }
            }
        }
    }
}
