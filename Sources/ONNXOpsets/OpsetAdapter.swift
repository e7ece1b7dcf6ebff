import FerryIR

/// One operator signature change between two opsets, as a rewrite in both directions.
///
/// `boundary` is the first opset with the new form. Converting up across it calls `upgrade`,
/// down across it `downgrade`; each returns the nodes that replace the one given (usually one).
protocol OpsetAdapter: Sendable {
    var opTypes: Set<String> { get }
    var boundary: Int { get }
    func upgrade(_ node: Node, _ context: inout AdapterContext) throws -> [Node]
    func downgrade(_ node: Node, _ context: inout AdapterContext) throws -> [Node]
}

/// Every signature change Ferry converts, read top to bottom. A change not listed here is
/// caught by the schema check after the adapters run (an attribute, input or element type the
/// target version lacks), which refuses the node and names the opset that has it.
let opsetAdapters: [any OpsetAdapter] = [
    // Clip: min and max attributes became optional inputs.
    ClipBounds(),
    // Pad: pads and value attributes became inputs.
    PadInputs(),
    // Squeeze, Unsqueeze, Split, ReduceSum: axes (split sizes) attribute became an input.
    AxesInput(opTypes: ["Squeeze", "Unsqueeze"], boundary: 13, attribute: "axes", index: 1),
    AxesInput(opTypes: ["Split"], boundary: 13, attribute: "split", index: 1),
    AxesInput(opTypes: ["ReduceSum"], boundary: 13, attribute: "axes", index: 1),
    // Softmax, LogSoftmax, Hardmax: the axis no longer flattens the trailing dims into one.
    SoftmaxAxis(),
    // QuantizeLinear, DequantizeLinear: per-axis scales (the axis attribute) arrived.
    QuantizeAxis(),
    // Resize: roi, sizes and coordinate modes arrived at 11; roi and scales became optional at 13.
    ResizeTen(),
    ResizeInputs(),
    // The other reductions: axes attribute became an input.
    AxesInput(opTypes: ["ReduceMean", "ReduceMax", "ReduceMin", "ReduceProd", "ReduceL1", "ReduceL2",
                        "ReduceLogSum", "ReduceLogSumExp", "ReduceSumSquare"], boundary: 18, attribute: "axes", index: 1),
    // Ops added later that have an exact older spelling (their ONNX function body).
    HardSwishDecomposition(),
    LayerNormalizationDecomposition(),
    // Reshape's allowzero is moot when the shape holds no 0.
    ReshapeAllowZero(),
    // Attribute values that name a mode added later.
    AttributeValueSince(opTypes: ["Resize"], boundary: 19, attribute: "coordinate_transformation_mode", values: ["half_pixel_symmetric"]),
    AttributeValueSince(opTypes: ["Pad"], boundary: 19, attribute: "mode", values: ["wrap"]),
] + neutralAttributes

/// What an adapter may read and add while rewriting one node: constants, inferred value
/// types, fresh names.
struct AdapterContext {
    var graph: Graph
    /// Inferred types of the graph's values (empty inside subgraphs).
    let types: [String: ValueType]
    let target: Int
    private var used: Set<String>
    private var constantNodes: [String: Tensor] = [:]

    init(graph: Graph, types: [String: ValueType], target: Int) {
        self.graph = graph
        self.types = types
        self.target = target
        used = Set(graph.initializers.keys).union(graph.inputs.map(\.name)).union(graph.nodes.flatMap(\.outputs))
            .union(graph.nodes.map(\.name))
        for node in graph.nodes where node.opType == "Constant" && node.domain.isEmpty {
            if case .tensor(let value)? = node.attributes["value"], let output = node.outputs.first { constantNodes[output] = value }
        }
    }

    /// A name no value or node of the graph uses yet, built from `base`.
    mutating func fresh(_ base: String) -> String {
        var name = base, counter = 1
        while used.contains(name) { name = "\(base)_\(counter)"; counter += 1 }
        used.insert(name)
        return name
    }

    /// Adds a constant initializer and returns its name.
    mutating func constant(_ tensor: Tensor, base: String) -> String {
        let name = fresh(base)
        graph.setInitializer(name, tensor)
        return name
    }

    /// The value of an initializer or Constant node output, nil when computed at run time.
    func constantValue(_ name: String) -> Tensor? {
        graph.initializers[name] ?? constantNodes[name]
    }

    /// A constant input turned into integers, or the error saying it must be constant.
    func constantIntegers(_ node: Node, input index: Int) throws -> [Int]? {
        guard let name = node.input(index) else { return nil }
        guard let value = constantValue(name) else { throw OpsetError.notConstant(node: node.label, input: name, target: target) }
        return value.integers()
    }

    func rank(_ name: String) -> Int? { types[name]?.shape?.count }
}

extension Node {
    /// The inputs with trailing absent ("") ones dropped, as ONNX writers leave them.
    var trimmedInputs: [String] {
        var inputs = self.inputs
        while inputs.last == "" { inputs.removeLast() }
        return inputs
    }

    /// Sets input `index`, padding absent inputs before it with "".
    mutating func setInput(_ index: Int, _ name: String) {
        while inputs.count <= index { inputs.append("") }
        inputs[index] = name
        inputs = trimmedInputs
    }
}
