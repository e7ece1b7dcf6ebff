import FerryIR

/// Unstructured (per layer or global) and N:M magnitude pruning of the constant float32
/// weights of Conv, ConvTranspose, Gemm and MatMul. Zeroed weights stay in the tensor; the
/// model keeps its shape and runs unchanged, and writers that store sparse weights see the zeros.
public struct MagnitudePruning: GraphPass {
    public let name = "prune"
    public var spec: PruningSpec
    /// Layers (node or weight names) left dense.
    public var skip: Set<String>
    public private(set) var report: [LayerSparsity] = []

    public init(_ spec: PruningSpec, skip: Set<String> = []) {
        self.spec = spec
        self.skip = skip
    }

    static let weighted: Set<String> = ["Conv", "ConvTranspose", "Gemm", "MatMul"]

    /// The prunable (node, weight name) pairs in graph order, each weight once.
    static func prunable(_ graph: Graph, skip: Set<String>) -> [(Node, String)] {
        var seen = Set<String>()
        var result: [(Node, String)] = []
        for node in graph.nodes where node.domain.isEmpty && weighted.contains(node.opType) {
            guard let name = node.input(1), let w = graph.initializers[name], w.dataType == .float32, w.rank >= 2,
                  !skip.contains(node.name), !skip.contains(name), !node.outputs.contains(where: skip.contains),
                  seen.insert(name).inserted else { continue }
            result.append((node, name))
        }
        return result
    }

    public func apply(to model: Model) throws -> Model {
        try applyReporting(to: model).0
    }

    /// The pruned model and the sparsity of every layer pruned.
    public func applyReporting(to model: Model) throws -> (Model, [LayerSparsity]) {
        var graph = model.graph
        let layers = Self.prunable(graph, skip: skip)
        var threshold: Float?
        if case .global(let sparsity) = spec {
            var magnitudes: [Float] = []
            for (_, name) in layers { magnitudes += graph.initializers[name]!.elements(as: Float.self).map(abs) }
            magnitudes.sort()
            let cut = Int((Double(magnitudes.count) * sparsity).rounded(.down))
            threshold = cut > 0 ? magnitudes[cut - 1] : nil
        }
        var report: [LayerSparsity] = []
        for (node, name) in layers {
            let w = graph.initializers[name]!
            var values = w.elements(as: Float.self)
            switch spec {
            case .perLayer(let sparsity):
                let count = Int((Double(values.count) * sparsity).rounded(.down))
                // Ties broken by position so the result never depends on sort stability.
                let order = values.indices.sorted { (abs(values[$0]), $0) < (abs(values[$1]), $1) }
                for index in order.prefix(count) { values[index] = 0 }
            case .global:
                if let threshold { for i in values.indices where abs(values[i]) <= threshold { values[i] = 0 } }
            case .nOfM(let n, let m):
                if node.opType == "MatMul" && w.rank != 2 { continue }
                // Groups run along the reduction axis: within each output row of a Conv/Gemm(transB)
                // weight, or down each column of a MatMul/Gemm weight.
                let (rows, depth, rowMajor) = Self.reductionLayout(node, w)
                for row in 0..<rows {
                    var start = 0
                    while start < depth {
                        let end = min(start + m, depth)
                        let indices = (start..<end).map { rowMajor ? row * depth + $0 : $0 * rows + row }
                        let drop = indices.sorted { (abs(values[$0]), $0) < (abs(values[$1]), $1) }.prefix(max(0, indices.count - n))
                        for index in drop { values[index] = 0 }
                        start = end
                    }
                }
            case .channels:
                throw PassError.invalidOption("channel pruning is ChannelPruning's job")
            }
            graph.setInitializer(name, Tensor(shape: w.shape, values: values))
            report.append(LayerSparsity(node: node.name, weight: name, parameters: values.count, zeros: values.filter { $0 == 0 }.count))
        }
        var result = model
        result.graph = graph
        return (result, report)
    }

    /// (output rows, reduction depth, whether a row's weights are contiguous).
    static func reductionLayout(_ node: Node, _ w: Tensor) -> (Int, Int, Bool) {
        switch node.opType {
        case "Conv":
            return (w.shape[0], w.count / w.shape[0], true)
        case "ConvTranspose":
            // [C_in, C_out/g, k…]: reduce over C_in; treat each (out, k) position as a row.
            return (w.count / w.shape[0], w.shape[0], false)
        case "Gemm":
            if case .int(let t)? = node.attributes["transB"], t != 0 { return (w.shape[0], w.shape[1], true) }
            return (w.shape[1], w.shape[0], false)
        default:   // MatMul [K, N]
            return (w.shape[w.rank - 1], w.shape[w.rank - 2], false)
        }
    }
}
