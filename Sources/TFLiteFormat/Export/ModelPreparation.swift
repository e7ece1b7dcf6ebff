import FerryIR
import FerryPasses
import FerryRuntime

/// The graph as the exporter sees it: nodes whose inputs are all constant are folded away
/// (Constant, Shape of a static value, the shape arithmetic older exporters write), and every
/// remaining value has a static shape from shape inference.
struct PreparedGraph {
    var graph: Graph
    var constants: [String: Tensor]
    var shapes: [String: [Int]]
    var types: [String: DataType]
    /// Folded DequantizeLinear outputs of quantized constants, by the folded value's name.
    var quantizedConstants: [String: QuantizedConstant] = [:]
}

enum ModelPreparation {
    /// Ops whose result differs from run to run; never folded.
    static let nondeterministic: Set<String> = ["RandomNormal", "RandomUniform", "RandomNormalLike", "RandomUniformLike",
                                                 "Multinomial", "Bernoulli"]

    static func prepare(_ model: Model) throws -> PreparedGraph {
        var prepared = try prepareOnce(model)
        // An If whose condition folded is replaced by its branch, whose own shape tests (nested
        // Ifs) fold in the next round; folded values carry over as initializers.
        while let inlined = try inlineIfs(prepared) {
            var next = model
            next.graph = inlined
            for (name, tensor) in prepared.constants where inlined.initializers[name] == nil { next.graph.setInitializer(name, tensor) }
            let known = prepared.quantizedConstants
            prepared = try prepareOnce(next)
            prepared.quantizedConstants.merge(known) { new, _ in new }
        }
        return prepared
    }

    /// The graph with the Ifs whose condition folded here replaced by their branch (shapes
    /// fixed only here fold more conditions than FerryPasses' InlineStaticIf could).
    private static func inlineIfs(_ prepared: PreparedGraph) throws -> Graph? {
        do {
            return try StaticIfInlining.inline(prepared.graph, constants: prepared.constants)
        } catch let error as PassError {
            throw TFLiteExportError.preparation(error.description)
        }
    }

    private static func prepareOnce(_ model: Model) throws -> PreparedGraph {
        var model = model
        do {
            try model.graph.sortAndVerify()
        } catch {
            throw TFLiteExportError.preparation("\(error)")
        }
        let inferred: Model
        do {
            inferred = try ShapeInference.infer(model)
        } catch {
            throw TFLiteExportError.preparation("\(error)")
        }
        var shapes: [String: [Int]] = [:]
        var types: [String: DataType] = [:]
        let infos = inferred.graph.inputs + inferred.graph.outputs + Array(inferred.graph.valueInfo.values)
        for info in infos {
            guard let type = info.type else { continue }
            types[info.name] = type.dataType
            if let shape = type.staticShape { shapes[info.name] = shape }
        }
        var constants = model.graph.initializers
        for (name, tensor) in constants {
            shapes[name] = tensor.shape
            types[name] = tensor.dataType
        }
        var remaining: [Node] = []
        var quantizedConstants: [String: QuantizedConstant] = [:]
        for node in model.graph.nodes {
            if let folded = try fold(node, constants: constants, shapes: shapes, opsets: model.opsets) {
                if let origin = quantizedOrigin(node, constants: constants) { quantizedConstants[node.outputs[0]] = origin }
                for (name, tensor) in zip(node.outputs, folded) where !name.isEmpty {
                    constants[name] = tensor
                    shapes[name] = tensor.shape
                    types[name] = tensor.dataType
                }
            } else {
                remaining.append(node)
            }
        }
        var graph = model.graph
        graph.nodes = remaining
        return PreparedGraph(graph: graph, constants: constants, shapes: shapes, types: types, quantizedConstants: quantizedConstants)
    }

    /// The integers and parameters behind a DequantizeLinear of a constant (per tensor or per
    /// axis, not blocked), so quantized lowerings can store them as they are.
    private static func quantizedOrigin(_ node: Node, constants: [String: Tensor]) -> QuantizedConstant? {
        guard node.opType == "DequantizeLinear", node.domain.isEmpty, node.attributes["block_size"] == nil,
              let values = constants[node.inputs[0]], [.int8, .int16, .int32, .uint8].contains(values.dataType),
              let scaleName = node.input(1), let scale = constants[scaleName], scale.dataType == .float32 else { return nil }
        let scales = scale.elements(as: Float.self)
        var zeroPoints = [Int64](repeating: 0, count: scales.count)
        if let zpName = node.input(2) {
            guard let zp = constants[zpName], zp.count == scales.count else { return nil }
            zeroPoints = zp.integers().map { Int64($0) }
        }
        var axis = 1
        if case .int(let a)? = node.attributes["axis"] { axis = a < 0 ? a + values.rank : a }
        guard scales.count == 1 || (axis >= 0 && axis < values.rank && values.shape[axis] == scales.count) else { return nil }
        return QuantizedConstant(values: values, quantization: ValueQuantization(scales: scales, zeroPoints: zeroPoints,
                                                                                  axis: scales.count == 1 ? 0 : axis))
    }

    /// The outputs of `node` when they can be computed now, or nil.
    private static func fold(_ node: Node, constants: [String: Tensor], shapes: [String: [Int]], opsets: [String: Int]) throws -> [Tensor]? {
        let attributes = NodeAttributes(exporting: node)
        if node.opType == "Constant" && node.domain.isEmpty {
            if let tensor = try attributes.tensor("value") { return [tensor] }
            if let value = try attributes.float("value_float"), node.attributes["value_float"] != nil { return [Tensor(scalar: value)] }
            if let values = try attributes.floats("value_floats") { return [Tensor(shape: [values.count], values: values)] }
            if let value = try attributes.int("value_int") { return [Tensor(scalar: Int64(value))] }
            if let values = try attributes.ints("value_ints") { return [Tensor(shape: [values.count], values: values.map { Int64($0) })] }
            throw TFLiteExportError.unsupportedOp(node: node.label, op: node.opType, reason: "a Constant of a kind TFLite export does not read")
        }
        if node.opType == "Shape", node.domain.isEmpty, let shape = shapes[node.inputs[0]] {
            let rank = shape.count
            func clamp(_ value: Int) -> Int { min(max(value < 0 ? value + rank : value, 0), rank) }
            let start = clamp(try attributes.int("start", default: 0)), end = clamp(try attributes.int("end", default: rank))
            let dims = start < end ? Array(shape[start..<end]) : []
            return [Tensor(shape: [dims.count], values: dims.map { Int64($0) })]
        }
        if node.opType == "Size", node.domain.isEmpty, let shape = shapes[node.inputs[0]] {
            return [Tensor(scalar: Int64(shape.reduce(1, *)))]
        }
        let inputs = node.inputs.filter { !$0.isEmpty }
        guard !inputs.isEmpty, inputs.allSatisfy({ constants[$0] != nil }), !nondeterministic.contains(node.opType),
              node.attributes.values.allSatisfy({ $0.subgraphs.isEmpty }) else { return nil }
        var initializers: [String: Tensor] = [:]
        for input in inputs { initializers[input] = constants[input] }
        let outputs = node.outputs.filter { !$0.isEmpty }.map { ValueInfo(name: $0, type: nil) }
        let graph = Graph(name: "fold", nodes: [node], inputs: [], outputs: outputs, initializers: initializers,
                          initializerOrder: inputs.sorted())
        do {
            let session = try InferenceSession(model: Model(graph: graph, opsets: opsets))
            let results = try session.run([:])
            var byName: [String: Tensor] = [:]
            for (info, tensor) in zip(outputs, results) { byName[info.name] = tensor }
            return node.outputs.map { $0.isEmpty ? Tensor(dataType: .float32, shape: [0]) : byName[$0]! }
        } catch {
            throw TFLiteExportError.preparation("folding node \(node.label): \(error)")
        }
    }
}
