import FerryIR

/// Structured channel pruning that really removes channels: a Conv (or Gemm/MatMul) loses the
/// output channels with the smallest L1 norms, and every op the channels flow through is
/// rewired to match: per-channel ops (BatchNormalization, activations, pooling) lose the same
/// entries, depthwise convolutions lose the same channels, and the consuming Conv, Gemm or
/// MatMul loses the matching input channels. The model gets smaller and faster and still runs.
///
/// A layer is pruned only when every path from its output reaches such a consumer through
/// such ops; outputs that join another branch (residual Add, Concat), reshape, or leave the
/// graph keep all their channels.
public struct ChannelPruning: GraphPass {
    public let name = "prune-channels"
    public var fraction: Double
    public var skip: Set<String>

    public init(fraction: Double, skip: Set<String> = []) {
        self.fraction = fraction
        self.skip = skip
    }

    static let channelwise: Set<String> = [
        "Relu", "Clip", "LeakyRelu", "HardSwish", "HardSigmoid", "Sigmoid", "Tanh", "Elu", "Selu", "Softplus",
        "MaxPool", "AveragePool", "GlobalAveragePool", "GlobalMaxPool", "BatchNormalization", "Identity",
    ]

    /// How the channels reach one node of the region.
    enum Role {
        case channelwise(Int)          // node index; per-channel params (BatchNormalization) shrink
        case depthwise(Int)            // a depthwise Conv: its channels shrink, flow continues
        case consumer(Int)             // Conv/Gemm/MatMul reading the channels as input
    }

    public func apply(to model: Model) throws -> Model { try applyReporting(to: model).0 }

    public func applyReporting(to model: Model) throws -> (Model, [LayerSparsity]) {
        var graph = model.graph
        try graph.sortAndVerify()
        var report: [LayerSparsity] = []
        var index = 0
        while index < graph.nodes.count {
            let node = graph.nodes[index]
            index += 1
            guard node.domain.isEmpty, !skip.contains(node.name), !node.outputs.contains(where: skip.contains),
                  let (weightName, channels) = producerChannels(node, graph), channels > 1,
                  let roles = region(from: node.outputs[0], channels: channels, graph: graph) else { continue }
            let keepCount = max(1, Int((Double(channels) * (1 - fraction)).rounded(.up)))
            guard keepCount < channels else { continue }
            let weight = graph.initializers[weightName]!
            let norms = channelNorms(node, weight)
            let keep = norms.indices.sorted { (norms[$0], $1) > (norms[$1], $0) }.prefix(keepCount).sorted()
            let before = weight.count
            pruneProducer(index - 1, keep: keep, graph: &graph)
            for role in roles { prune(role, keep: keep, graph: &graph) }
            let after = graph.initializers[graph.nodes[index - 1].inputs[1]]!.count
            report.append(LayerSparsity(node: node.name, weight: weightName, parameters: before, zeros: before - after,
                                        channels: (channels, keep.count)))
        }
        graph.dropUnusedInitializers()
        graph.valueInfo = [:]   // shapes changed; inference redoes them
        var result = model
        result.graph = graph
        return (result, report)
    }

    /// The weight and output-channel count of a prunable producer.
    func producerChannels(_ node: Node, _ graph: Graph) -> (String, Int)? {
        guard let name = node.input(1), let w = graph.initializers[name], w.dataType == .float32 else { return nil }
        switch node.opType {
        case "Conv":
            guard w.rank == 4, group(node) == 1 else { return nil }
            return (name, w.shape[0])
        case "Gemm":
            guard w.rank == 2, !flag(node, "transA") else { return nil }
            return (name, flag(node, "transB") ? w.shape[0] : w.shape[1])
        case "MatMul":
            guard w.rank == 2 else { return nil }
            return (name, w.shape[1])
        default:
            return nil
        }
    }

    func group(_ node: Node) -> Int {
        if case .int(let g)? = node.attributes["group"] { return g }
        return 1
    }

    func flag(_ node: Node, _ key: String) -> Bool {
        if case .int(let v)? = node.attributes[key] { return v != 0 }
        return false
    }

    /// Every node the producer's channels flow through, or nil when some path cannot be rewired.
    func region(from start: String, channels: Int, graph: Graph) -> [Role]? {
        let consumers = graph.consumers()
        var roles: [Role] = []
        var frontier = [start]
        var visited = Set<String>()
        while let value = frontier.popLast() {
            guard visited.insert(value).inserted else { continue }
            guard !graph.isInterface(value), let readers = consumers[value], !readers.isEmpty else { return nil }
            for reader in readers {
                let node = graph.nodes[reader]
                guard node.domain.isEmpty, node.input(0) == value,
                      !node.inputs.dropFirst().contains(value) else { return nil }
                if Self.channelwise.contains(node.opType) {
                    if node.opType == "BatchNormalization" {
                        guard node.inputs.count >= 5, (1...4).allSatisfy({ graph.initializers[node.inputs[$0]]?.count == channels }),
                              node.outputs.dropFirst().allSatisfy(\.isEmpty) else { return nil }
                    }
                    if node.opType == "Clip", node.inputs.dropFirst().contains(where: { !$0.isEmpty && (graph.initializers[$0]?.count ?? 2) != 1 }) { return nil }
                    if node.opType == "MaxPool" && node.outputs.count > 1 && !node.outputs[1].isEmpty { return nil }
                    roles.append(.channelwise(reader))
                    frontier.append(node.outputs[0])
                } else if node.opType == "Conv", let w = graph.constant(node.input(1)), w.dataType == .float32, w.rank == 4 {
                    if group(node) == channels && w.shape[0] == channels && w.shape[1] == 1 {
                        roles.append(.depthwise(reader))
                        frontier.append(node.outputs[0])
                    } else if group(node) == 1 && w.shape[1] == channels {
                        roles.append(.consumer(reader))
                    } else {
                        return nil
                    }
                } else if node.opType == "Gemm" || node.opType == "MatMul", let w = graph.constant(node.input(1)), w.rank == 2,
                          !flag(node, "transA") {
                    let depth = node.opType == "Gemm" && flag(node, "transB") ? w.shape[1] : w.shape[0]
                    guard depth == channels else { return nil }
                    roles.append(.consumer(reader))
                } else {
                    return nil
                }
            }
        }
        return roles
    }

    func channelNorms(_ node: Node, _ w: Tensor) -> [Double] {
        let values = w.elements(as: Float.self)
        let (axis, channels) = outputAxis(node, w)
        var norms = [Double](repeating: 0, count: channels)
        let inner = w.shape[(axis + 1)...].reduce(1, *)
        for (i, v) in values.enumerated() { norms[(i / inner) % channels] += Double(abs(v)) }
        return norms
    }

    func outputAxis(_ node: Node, _ w: Tensor) -> (Int, Int) {
        switch node.opType {
        case "Conv": return (0, w.shape[0])
        case "Gemm": return flag(node, "transB") ? (0, w.shape[0]) : (1, w.shape[1])
        default: return (1, w.shape[1])
        }
    }

    /// Keeps entries `keep` along `axis` of the constant input `input` of node `index`.
    func slice(_ index: Int, input: Int, axis: Int, keep: [Int], graph: inout Graph) {
        let node = graph.nodes[index]
        guard let name = node.input(input), let t = graph.initializers[name] else { return }
        let out = Self.select(t, axis: axis, keep: keep)
        // A constant shared with other readers is copied, not changed under them.
        let readers = graph.consumers()[name]?.count ?? 0
        if readers > 1 {
            var taken = Set<String>()
            let fresh = graph.freshName(name + "_pruned", avoiding: &taken)
            graph.setInitializer(fresh, out)
            graph.nodes[index].inputs[input] = fresh
        } else {
            graph.setInitializer(name, out)
        }
    }

    static func select(_ t: Tensor, axis: Int, keep: [Int]) -> Tensor {
        let outer = t.shape[..<axis].reduce(1, *), inner = t.shape[(axis + 1)...].reduce(1, *)
        let size = t.dataType.byteSize
        var shape = t.shape
        shape[axis] = keep.count
        let out = Tensor(dataType: t.dataType, shape: shape)
        let src = t.storage.bytes, dst = out.storage.bytes
        var offset = 0
        for o in 0..<outer {
            for k in keep {
                (dst + offset).copyMemory(from: src + ((o * t.shape[axis] + k) * inner) * size, byteCount: inner * size)
                offset += inner * size
            }
        }
        return out
    }

    func pruneProducer(_ index: Int, keep: [Int], graph: inout Graph) {
        let node = graph.nodes[index]
        let w = graph.initializers[node.inputs[1]]!
        slice(index, input: 1, axis: outputAxis(node, w).0, keep: keep, graph: &graph)
        if node.opType == "Gemm", let bias = graph.constant(node.input(2)), bias.count > 1 {
            slice(index, input: 2, axis: bias.rank - 1, keep: keep, graph: &graph)
        }
        if node.opType == "Conv", node.input(2) != nil { slice(index, input: 2, axis: 0, keep: keep, graph: &graph) }
    }

    func prune(_ role: Role, keep: [Int], graph: inout Graph) {
        switch role {
        case .channelwise(let index):
            if graph.nodes[index].opType == "BatchNormalization" {
                for input in 1...4 { slice(index, input: input, axis: 0, keep: keep, graph: &graph) }
            }
        case .depthwise(let index):
            slice(index, input: 1, axis: 0, keep: keep, graph: &graph)
            if graph.nodes[index].input(2) != nil { slice(index, input: 2, axis: 0, keep: keep, graph: &graph) }
            graph.nodes[index].attributes["group"] = .int(keep.count)
        case .consumer(let index):
            let node = graph.nodes[index]
            let axis: Int
            switch node.opType {
            case "Conv": axis = 1
            case "Gemm": axis = flag(node, "transB") ? 1 : 0
            default: axis = 0
            }
            slice(index, input: 1, axis: axis, keep: keep, graph: &graph)
        }
    }
}
