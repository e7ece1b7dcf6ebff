import FerryIR
import FerryRuntime

/// Evaluates nodes whose inputs are all constant, replacing them with initializers; `Shape` and
/// `Size` of values whose shape inference found static fold too, so shape subgraphs disappear.
///
/// Kept: nodes that produce graph outputs, nodes with subgraphs, random ops, DequantizeLinear
/// and low-precision-to-float Casts (they carry quantized or float16 weights on purpose), and
/// nodes whose folded result would be larger than their inputs and over `maxGrowthBytes`.
public struct ConstantFolding: GraphPass {
    public let name = "constant-folding"
    /// Exact: folded with the runtime's own kernels, as a session computes them at load.
    public func preservesValues(from before: Model, to after: Model) -> Bool { true }
    public var maxGrowthBytes: Int

    public init(maxGrowthBytes: Int = 1 << 20) { self.maxGrowthBytes = maxGrowthBytes }

    static let neverFolded: Set<String> = [
        "DequantizeLinear", "RandomNormal", "RandomNormalLike", "RandomUniform", "RandomUniformLike",
        "Multinomial", "Bernoulli",
    ]

    public func apply(to model: Model) throws -> Model {
        var graph = model.graph
        let shapes = staticShapes(model)
        let outputs = graph.outputNames
        var index = 0
        while index < graph.nodes.count {
            let node = graph.nodes[index]
            if node.outputs.contains(where: outputs.contains) || !isFoldable(node, graph) {
                index += 1
                continue
            }
            let folded: [Tensor]?
            switch node.opType {
            case "Shape" where graph.constant(node.input(0)) == nil:
                folded = try foldShape(node, shapes: shapes).map { [$0] }
            case "Size" where graph.constant(node.input(0)) == nil:
                folded = node.input(0).flatMap { shapes[$0] }.map { [Tensor(scalar: Int64($0.reduce(1, *)))] }
            default:
                folded = try evaluate(node, graph: graph, model: model)
            }
            guard let folded, folded.count == node.outputs.count else {
                index += 1
                continue
            }
            graph.nodes.remove(at: index)
            for (name, tensor) in zip(node.outputs, folded) where !name.isEmpty {
                graph.setInitializer(name, tensor)
                graph.valueInfo[name] = nil
            }
        }
        graph.dropUnusedInitializers()
        var result = model
        result.graph = graph
        return result
    }

    private func isFoldable(_ node: Node, _ graph: Graph) -> Bool {
        guard node.domain.isEmpty || node.domain == "ai.onnx" else { return false }
        if Self.neverFolded.contains(node.opType) { return false }
        if node.attributes.values.contains(where: { !$0.subgraphs.isEmpty }) { return false }
        if node.opType == "Shape" || node.opType == "Size" { return node.input(0) != nil }
        let inputs = node.inputs.filter { !$0.isEmpty }
        guard inputs.allSatisfy({ graph.initializers[$0] != nil }) else { return false }
        if node.opType == "Cast", let source = graph.constant(node.input(0)),
           source.dataType == .float16 || source.dataType == .bfloat16 { return false }
        return true
    }

    private func evaluate(_ node: Node, graph: Graph, model: Model) throws -> [Tensor]? {
        var constants: [String: Tensor] = [:]
        for input in node.inputs where !input.isEmpty { constants[input] = graph.initializers[input] }
        let single = Graph(
            name: "fold", nodes: [node], inputs: [],
            outputs: node.outputs.filter { !$0.isEmpty }.map { ValueInfo(name: $0, type: nil) },
            initializers: constants
        )
        let session: InferenceSession
        do {
            session = try InferenceSession(model: Model(graph: single, opsets: model.opsets, irVersion: model.irVersion))
        } catch {
            return nil   // an op the core does not run stays in the graph
        }
        let values = try session.run([:])
        let inputBytes = constants.values.reduce(0) { $0 + $1.byteCount }
        let outputBytes = values.reduce(0) { $0 + $1.byteCount }
        if outputBytes > maxGrowthBytes && outputBytes > inputBytes { return nil }
        var all: [Tensor] = []
        var iterator = values.makeIterator()
        for name in node.outputs {
            if name.isEmpty { all.append(Tensor(dataType: .float32, shape: [0])) } else if let value = iterator.next() { all.append(value) }
        }
        return all
    }

    private func foldShape(_ node: Node, shapes: [String: [Int]]) throws -> Tensor? {
        guard let input = node.input(0), let shape = shapes[input] else { return nil }
        let rank = shape.count
        func clamp(_ value: Int) -> Int { min(max(value < 0 ? value + rank : value, 0), rank) }
        var start = 0
        var end = rank
        if case .int(let value)? = node.attributes["start"] { start = clamp(value) }
        if case .int(let value)? = node.attributes["end"] { end = clamp(value) }
        let dims = start < end ? Array(shape[start..<end]) : []
        return Tensor(shape: [dims.count], values: dims.map { Int64($0) })
    }

    /// Static shapes of every value shape inference could settle, plus inputs and constants.
    private func staticShapes(_ model: Model) -> [String: [Int]] {
        guard model.graph.nodes.contains(where: { $0.opType == "Shape" || $0.opType == "Size" }) else { return [:] }
        var shapes: [String: [Int]] = [:]
        let inferred = (try? ShapeInference.infer(model)) ?? model
        for info in inferred.graph.inputs + inferred.graph.outputs + Array(inferred.graph.valueInfo.values) {
            if let dims = info.type?.staticShape { shapes[info.name] = dims }
        }
        for (name, tensor) in model.graph.initializers { shapes[name] = tensor.shape }
        return shapes
    }
}
