import FerryFlatBuffers
import FerryIR
import ONNXOpsets

/// A main graph prepared for the ORT format: Constant nodes moved to initializers, every node's
/// schema version resolved, every value's type known, the node-to-node edges listed.
struct ORTGraph {
    let graph: Graph
    let nodes: [Node]
    /// The schema version each node runs at, by node index.
    let schemas: [ONNXSchemas.Schema]
    let initializers: [(name: String, tensor: Tensor)]
    /// Every named value, in a fixed order: graph inputs, initializers, node outputs.
    let values: [(name: String, type: ValueType)]

    init(_ graph: Graph, opsets: [String: Int], label: String) throws {
        self.graph = graph
        var initializers: [(name: String, tensor: Tensor)] = graph.initializerOrder.compactMap { name in graph.initializers[name].map { (name, $0) } }
        for name in graph.initializers.keys.sorted() where !graph.initializerOrder.contains(name) {
            initializers.append((name, graph.initializers[name]!))
        }
        var types: [String: ValueType] = [:]
        for info in graph.inputs + graph.outputs + Array(graph.valueInfo.values) { if let type = info.type { types[info.name] = type } }
        var used = Set(graph.nodes.flatMap(\.outputs)).union(graph.initializers.keys).union(graph.inputs.map(\.name))
        let expanded = try ORTFunctionOps.expand(graph.nodes, types: &types, used: &used)
        var nodes: [Node] = []
        var schemas: [ONNXSchemas.Schema] = []
        for node in expanded {
            if node.opType == "Constant" && (node.domain.isEmpty || node.domain == "ai.onnx"), let output = node.outputs.first {
                initializers.append((output, try Self.constantValue(node)))
                continue
            }
            for attribute in node.attributes.values {
                switch attribute {
                case .graph, .graphs:
                    throw ORTError.unsupported(what: "node \(node.label)", reason: "has a subgraph; Ferry's ORT writer does not write subgraphs (If, Loop, Scan) yet")
                default: break
                }
            }
            let domain = node.domain == "ai.onnx" ? "" : node.domain
            guard ONNXSchemas.knows(domain: domain) else {
                throw ORTError.unsupported(what: "node \(node.label)", reason: "is in domain '\(node.domain)'; Ferry knows the kernel type strings of ai.onnx and ai.onnx.ml ops only")
            }
            let opset = opsets[domain] ?? (domain.isEmpty ? opsets["ai.onnx"] : nil) ?? 1
            guard let schema = ONNXSchemas.schema(domain: domain, opType: node.opType, opset: opset) else {
                throw ORTError.unsupported(what: "node \(node.label)", reason: "has no schema at opset \(opset) of its domain")
            }
            nodes.append(node)
            schemas.append(schema)
        }
        self.nodes = nodes
        self.schemas = schemas
        self.initializers = initializers

        for (name, tensor) in initializers { types[name] = ValueType(dataType: tensor.dataType, shape: tensor.shape.map { .fixed($0) }) }
        var order: [String] = []
        var seen: Set<String> = []
        func note(_ name: String) { if !name.isEmpty && seen.insert(name).inserted { order.append(name) } }
        graph.inputs.forEach { note($0.name) }
        initializers.forEach { note($0.name) }
        for node in nodes { node.inputs.forEach(note); node.outputs.forEach(note) }
        graph.outputs.forEach { note($0.name) }
        // An absent optional argument is the NodeArg named "" to ONNX Runtime's loader, untyped.
        hasEmptyArgument = nodes.contains { $0.inputs.contains("") || $0.outputs.contains("") }
        values = try order.map { name in
            guard let type = types[name] else {
                throw ORTError.unsupported(what: "value '\(name)'", reason: "has no known element type (ONNX Runtime's ORT format stores every value's type; run shape inference first)")
            }
            guard type.dataType.rawValue <= ORTSchema.largestDataType else {
                throw ORTError.unsupported(what: "value '\(name)'", reason: "is \(type.dataType), which the ORT format has no encoding for (it stops at float8e5m2fnuz)")
            }
            return (name, type)
        }
    }

    let hasEmptyArgument: Bool

    var usesFloat8: Bool { values.contains { (17...20).contains($0.type.dataType.rawValue) } }

    /// A Constant node's value as a tensor (value, value_float(s), value_int(s)).
    static func constantValue(_ node: Node) throws -> Tensor {
        switch (node.attributes["value"], node.attributes["value_float"], node.attributes["value_floats"],
                node.attributes["value_int"], node.attributes["value_ints"]) {
        case (.tensor(let tensor)?, _, _, _, _): return tensor
        case (_, .float(let value)?, _, _, _): return Tensor(scalar: value)
        case (_, _, .floats(let values)?, _, _): return Tensor(shape: [values.count], values: values)
        case (_, _, _, .int(let value)?, _): return Tensor(scalar: Int64(value))
        case (_, _, _, _, .ints(let values)?): return Tensor(shape: [values.count], values: values.map { Int64($0) })
        default:
            throw ORTError.unsupported(what: "node \(node.label)", reason: "is a Constant without a value Ferry can store as an initializer (sparse or string values)")
        }
    }

    func write(into builder: inout FlatBufferBuilder) throws -> FlatBufferBuilder.Offset {
        let tensors = try initializers.map { try ORTTensor.write($0.tensor, name: $0.name, into: &builder) }
        let tensorVector = builder.createVector(offsets: tensors)
        var args = values.map { ORTValueInfo.write(name: $0.name, type: $0.type, into: &builder) }
        if hasEmptyArgument { args.append(ORTValueInfo.writeUntyped(name: "", into: &builder)) }
        let argVector = builder.createVector(offsets: args)
        var nodeOffsets: [FlatBufferBuilder.Offset] = []
        for (index, node) in nodes.enumerated() {
            nodeOffsets.append(try ORTNode.write(node, index: index, schema: schemas[index], into: &builder))
        }
        let nodeVector = builder.createVector(offsets: nodeOffsets)
        let edgeVector = builder.createVector(offsets: writeEdges(into: &builder))
        let inputs = builder.createVector(offsets: graph.inputs.filter { graph.initializers[$0.name] == nil }.map { builder.createSharedString($0.name) })
        let outputs = builder.createVector(offsets: graph.outputs.map { builder.createSharedString($0.name) })
        builder.startTable(fieldCount: ORTSchema.Graph.fieldCount)
        builder.add(ORTSchema.Graph.initializers, offset: tensorVector)
        builder.add(ORTSchema.Graph.nodeArgs, offset: argVector)
        builder.add(ORTSchema.Graph.nodes, offset: nodeVector)
        builder.add(ORTSchema.Graph.maxNodeIndex, UInt32(nodes.count), default: 0)
        builder.add(ORTSchema.Graph.nodeEdges, offset: edgeVector)
        builder.add(ORTSchema.Graph.inputs, offset: inputs)
        builder.add(ORTSchema.Graph.outputs, offset: outputs)
        return builder.endTable()
    }

    /// One NodeEdge per node: where each input comes from and where each output goes, as
    /// (other node, output index, input index) ends, sorted.
    private func writeEdges(into builder: inout FlatBufferBuilder) -> [FlatBufferBuilder.Offset] {
        var producers: [String: (node: Int, output: Int)] = [:]
        for (index, node) in nodes.enumerated() {
            for (slot, name) in node.outputs.enumerated() where !name.isEmpty { producers[name] = (index, slot) }
        }
        var incoming = Array(repeating: [(Int, Int, Int)](), count: nodes.count)
        var outgoing = Array(repeating: [(Int, Int, Int)](), count: nodes.count)
        for (index, node) in nodes.enumerated() {
            for (slot, name) in node.inputs.enumerated() where !name.isEmpty {
                guard let producer = producers[name] else { continue }
                incoming[index].append((producer.node, producer.output, slot))
                outgoing[producer.node].append((index, producer.output, slot))
            }
        }
        func ends(_ list: [(Int, Int, Int)]) -> FlatBufferBuilder.Offset {
            let sorted = list.sorted { ($0.0, $0.1, $0.2) < ($1.0, $1.1, $1.2) }
            let structs = sorted.map { end -> [UInt8] in
                var bytes: [UInt8] = []
                for value in [UInt32(end.0), UInt32(bitPattern: Int32(end.1)), UInt32(bitPattern: Int32(end.2))] {
                    withUnsafeBytes(of: value.littleEndian) { bytes += $0 }
                }
                return bytes
            }
            return builder.createVector(structs: structs, structSize: ORTSchema.edgeEndSize, structAlignment: 4)
        }
        return nodes.indices.map { index in
            let input = ends(incoming[index]), output = ends(outgoing[index])
            builder.startTable(fieldCount: ORTSchema.NodeEdge.fieldCount)
            builder.add(ORTSchema.NodeEdge.nodeIndex, UInt32(index), default: 0)
            builder.add(ORTSchema.NodeEdge.inputEdges, offset: input)
            builder.add(ORTSchema.NodeEdge.outputEdges, offset: output)
            return builder.endTable()
        }
    }
}
