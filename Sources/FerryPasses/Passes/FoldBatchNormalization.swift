import FerryIR
import FerryRuntime

/// Folds an inference BatchNormalization into the Conv, Gemm or MatMul that feeds it: the
/// weights are scaled per output channel and the shift becomes the bias.
///
/// The producer must have constant float32 weights and no other reader of its output; a MatMul
/// gains an Add for the shift (MatMul has no bias) and is folded only when the channel axis is
/// its last axis (rank-2 outputs).
public struct FoldBatchNormalization: GraphPass {
    public let name = "fold-batch-norm"
    /// Folding rounds differently from running BatchNormalization; a model it left as it was
    /// (nothing folded removes no node) computes what it computed.
    public func preservesValues(from before: Model, to after: Model) -> Bool {
        before.graph.nodes.count == after.graph.nodes.count
    }
    public init() {}

    struct Affine {
        /// y = x * factor[c] + shift[c]
        var factor: [Float]
        var shift: [Float]
    }

    public func apply(to model: Model) throws -> Model {
        var graph = model.graph
        var taken = Set<String>()
        // MatMul folds need the output rank; only look it up when a MatMul feeds a BatchNormalization.
        let producersAtStart = graph.producers()
        if graph.nodes.contains(where: { bn in
            bn.opType == "BatchNormalization" && bn.input(0).flatMap { producersAtStart[$0] }.map { graph.nodes[$0].opType == "MatMul" } == true
        }), let inferred = try? ShapeInference.infer(model) {
            graph.valueInfo.merge(inferred.graph.valueInfo) { current, _ in current }
        }
        var changed = true
        while changed {
            changed = false
            let consumers = graph.consumers()
            let producers = graph.producers()
            for bn in graph.nodes where bn.opType == "BatchNormalization" && bn.domain.isEmpty {
                guard let affine = affine(of: bn, in: graph), let source = bn.input(0),
                      let producerIndex = producers[source], consumers[source]?.count == 1,
                      !graph.isInterface(source), bn.outputs.filter({ !$0.isEmpty }).count == 1 else { continue }
                let producer = graph.nodes[producerIndex]
                let folded: Bool
                switch producer.domain.isEmpty ? producer.opType : "" {
                case "Conv": folded = foldIntoConv(producerIndex, affine, &graph, consumers, &taken)
                case "Gemm": folded = foldIntoGemm(producerIndex, affine, &graph, consumers, &taken)
                case "MatMul": folded = foldIntoMatMul(producerIndex, bn, affine, &graph, consumers, &taken)
                default: folded = false
                }
                guard folded else { continue }
                let output = bn.outputs[0]
                graph.nodes.removeAll { $0.opType == "BatchNormalization" && $0.outputs.first == output }
                // The producer (or the Add a MatMul gained) still writes `source`.
                graph.rename(source, to: output)
                changed = true
                break
            }
        }
        graph.dropUnusedInitializers()
        var result = model
        result.graph = graph
        return result
    }

    private func affine(of bn: Node, in graph: Graph) -> Affine? {
        if case .int(let mode)? = bn.attributes["training_mode"], mode != 0 { return nil }
        if case .int(let spatial)? = bn.attributes["spatial"], spatial != 1 { return nil }
        if bn.outputs.count > 1 && bn.outputs[1...].contains(where: { !$0.isEmpty }) { return nil }
        guard bn.inputs.count >= 5,
              let scale = floats(graph.constant(bn.input(1))), let bias = floats(graph.constant(bn.input(2))),
              let mean = floats(graph.constant(bn.input(3))), let variance = floats(graph.constant(bn.input(4))),
              scale.count == bias.count, bias.count == mean.count, mean.count == variance.count else { return nil }
        var epsilon: Float = 1e-5
        if case .float(let value)? = bn.attributes["epsilon"] { epsilon = value }
        var factor: [Float] = []
        var shift: [Float] = []
        for c in scale.indices {
            let f = Double(scale[c]) / (Double(variance[c]) + Double(epsilon)).squareRoot()
            factor.append(Float(f))
            shift.append(Float(Double(bias[c]) - Double(mean[c]) * f))
        }
        return Affine(factor: factor, shift: shift)
    }

    private func floats(_ tensor: Tensor?) -> [Float]? {
        guard let tensor, tensor.dataType == .float32, tensor.rank == 1 else { return nil }
        return tensor.elements(as: Float.self)
    }

    /// The name to store a rewritten copy of constant `name` under: itself when only this node
    /// reads it, otherwise a fresh name so that other readers keep the original.
    private func writableName(_ name: String, _ graph: inout Graph, _ consumers: [String: [Int]], _ taken: inout Set<String>) -> String {
        (consumers[name]?.count ?? 0) <= 1 && !graph.isInterface(name) ? name : graph.freshName(name + "_folded", avoiding: &taken)
    }

    private func foldIntoConv(_ index: Int, _ affine: Affine, _ graph: inout Graph, _ consumers: [String: [Int]], _ taken: inout Set<String>) -> Bool {
        let conv = graph.nodes[index]
        guard let weightName = conv.input(1), let weight = graph.constant(weightName), weight.dataType == .float32,
              weight.rank >= 3, weight.shape[0] == affine.factor.count else { return false }
        let channels = weight.shape[0]
        let perChannel = weight.count / channels
        var w = weight.elements(as: Float.self)
        for c in 0..<channels {
            for i in 0..<perChannel { w[c * perChannel + i] *= affine.factor[c] }
        }
        var b = [Float](repeating: 0, count: channels)
        if let biasName = conv.input(2) {
            guard let bias = floats(graph.constant(biasName)), bias.count == channels else { return false }
            b = bias
        }
        for c in 0..<channels { b[c] = b[c] * affine.factor[c] + affine.shift[c] }
        let newWeight = writableName(weightName, &graph, consumers, &taken)
        graph.setInitializer(newWeight, Tensor(shape: weight.shape, values: w))
        let newBias = conv.input(2).map { writableName($0, &graph, consumers, &taken) } ?? graph.freshName(conv.outputs[0] + "_bias", avoiding: &taken)
        graph.setInitializer(newBias, Tensor(shape: [channels], values: b))
        var inputs = conv.inputs
        while inputs.count < 3 { inputs.append("") }
        inputs[1] = newWeight
        inputs[2] = newBias
        graph.nodes[index].inputs = inputs
        return true
    }

    private func foldIntoGemm(_ index: Int, _ affine: Affine, _ graph: inout Graph, _ consumers: [String: [Int]], _ taken: inout Set<String>) -> Bool {
        let gemm = graph.nodes[index]
        var alpha: Float = 1, beta: Float = 1, transB = 0
        if case .float(let v)? = gemm.attributes["alpha"] { alpha = v }
        if case .float(let v)? = gemm.attributes["beta"] { beta = v }
        if case .int(let v)? = gemm.attributes["transB"] { transB = v }
        guard let weightName = gemm.input(1), let weight = graph.constant(weightName), weight.dataType == .float32,
              weight.rank == 2 else { return false }
        let channels = affine.factor.count
        guard (transB != 0 ? weight.shape[0] : weight.shape[1]) == channels else { return false }
        var w = weight.elements(as: Float.self)
        for i in 0..<weight.shape[0] {
            for j in 0..<weight.shape[1] {
                let c = transB != 0 ? i : j
                w[i * weight.shape[1] + j] *= affine.factor[c] * alpha
            }
        }
        var c = [Float](repeating: 0, count: channels)
        if let biasName = gemm.input(2) {
            guard let bias = graph.constant(biasName), bias.dataType == .float32, bias.count == 1 || bias.count == channels,
                  bias.shape.last == bias.count || bias.rank == 0 else { return false }
            let values = bias.elements(as: Float.self)
            for j in 0..<channels { c[j] = beta * values[values.count == 1 ? 0 : j] }
        }
        for j in 0..<channels { c[j] = c[j] * affine.factor[j] + affine.shift[j] }
        let newWeight = writableName(weightName, &graph, consumers, &taken)
        graph.setInitializer(newWeight, Tensor(shape: weight.shape, values: w))
        let newBias = gemm.input(2).map { writableName($0, &graph, consumers, &taken) } ?? graph.freshName(gemm.outputs[0] + "_bias", avoiding: &taken)
        graph.setInitializer(newBias, Tensor(shape: [channels], values: c))
        var inputs = gemm.inputs
        while inputs.count < 3 { inputs.append("") }
        inputs[1] = newWeight
        inputs[2] = newBias
        graph.nodes[index].inputs = inputs
        graph.nodes[index].attributes["alpha"] = .float(1)
        graph.nodes[index].attributes["beta"] = .float(1)
        return true
    }

    private func foldIntoMatMul(_ index: Int, _ bn: Node, _ affine: Affine, _ graph: inout Graph, _ consumers: [String: [Int]], _ taken: inout Set<String>) -> Bool {
        let matmul = graph.nodes[index]
        guard let weightName = matmul.input(1), let weight = graph.constant(weightName), weight.dataType == .float32,
              weight.rank == 2, weight.shape[1] == affine.factor.count,
              let output = graph.valueInfo[matmul.outputs[0]]?.type?.shape, output.count == 2 else { return false }
        var w = weight.elements(as: Float.self)
        for i in 0..<weight.shape[0] {
            for j in 0..<weight.shape[1] { w[i * weight.shape[1] + j] *= affine.factor[j] }
        }
        let newWeight = writableName(weightName, &graph, consumers, &taken)
        graph.setInitializer(newWeight, Tensor(shape: weight.shape, values: w))
        graph.nodes[index].inputs[1] = newWeight
        // MatMul → Add(shift); the Add takes the MatMul's place as the value's producer.
        let product = graph.freshName(matmul.outputs[0] + "_scaled", avoiding: &taken)
        let shiftName = graph.freshName(matmul.outputs[0] + "_shift", avoiding: &taken)
        graph.setInitializer(shiftName, Tensor(shape: [affine.shift.count], values: affine.shift))
        let original = matmul.outputs[0]
        graph.nodes[index].outputs[0] = product
        graph.nodes.insert(Node(name: matmul.name.isEmpty ? "" : matmul.name + "/bn_shift", opType: "Add",
                                inputs: [product, shiftName], outputs: [original]), at: index + 1)
        return true
    }
}
