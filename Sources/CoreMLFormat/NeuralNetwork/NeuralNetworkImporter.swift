import FerryIR

/// Reads a NeuralNetwork spec back into an IR model (ONNX ops, opset 20) so the reference core
/// runs exactly the layers and weights the `.mlmodel` carries. Every blob is float32, as Core ML
/// holds NeuralNetwork blobs; source names and integer types recorded in the metadata are
/// restored at the interface. An image input reads back as the tensor its scaler makes (what
/// the layers see), so the read model takes the source's inputs.
public enum NeuralNetworkImporter {
    public static let opset = 20

    /// `sourceNames` (blob → IR name, from `NeuralNetworkExporter.exportNamed`) names the IR
    /// values after the source's where the blobs have short names.
    public static func importModel(_ spec: NeuralNetworkSpec, file: String = "model.mlmodel", sourceNames: [String: String] = [:]) throws -> Model {
        var metadata: [String: String] = [:]
        for (key, value) in spec.description.metadata.userDefined { metadata[key] = value }
        let b = NNGraphBuilder(file: file)
        b.sources = sourceNames
        for input in spec.description.inputs {
            let source = metadata[SourceNames.nameKey(input.name)] ?? input.name
            let sourceType = metadata[SourceNames.typeKey(input.name)].flatMap { DataType(name: $0) }
                ?? (input.dataType == .int32 && input.kind == .multiArray ? .int32 : .float32)
            // A scalar source input is a [1] feature; the read model takes the scalar and
            // reshapes it into the blob.
            let scalar = metadata[SourceNames.rankKey(input.name)] == "0" && input.shape == [1]
            let dims: [Dim] = scalar ? [] : input.shape.enumerated().map { index, size in
                guard let range = input.ranges?[index], range.upper != range.lower else { return .fixed(size) }
                return .unknown
            }
            b.inputs.append(ValueInfo(name: source, type: ValueType(dataType: sourceType, shape: dims)))
            var value = source
            if sourceType != .float32 {
                value = input.name + "/nn"
                b.node("Cast", [source], [value], ["to": .int(Int(DataType.float32.rawValue))])
            }
            if scalar {
                b.node("Reshape", [value, b.int64s([1], input.name + "/shape")], [input.name + "/nn1"])
                value = input.name + "/nn1"
            }
            b.names[input.name] = value
            b.blobs.insert(input.name)
        }
        // Output blobs get IR names of their own; the source names are given at the end.
        for output in spec.description.outputs where b.names[output.name] == nil { b.names[output.name] = output.name + "/nn" }
        for layer in spec.layers {
            try b.read(layer)
        }
        for output in spec.description.outputs {
            if output.kind == .string { continue }
            let source = metadata[SourceNames.nameKey(output.name)] ?? output.name
            guard b.blobs.contains(output.name) else {
                throw CoreMLReadError.spec(file: file, "output '\(output.name)' is not made by any layer")
            }
            let wanted = metadata[SourceNames.typeKey(output.name)].flatMap { DataType(name: $0) } ?? (output.dataType == .int32 ? .int32 : .float32)
            b.node(wanted == .float32 ? "Identity" : "Cast", [b.name(output.name)], [source], wanted == .float32 ? [:] : ["to": .int(Int(wanted.rawValue))])
            let shape: [Dim]? = output.kind == .multiArray ? output.shape.enumerated().map { index, size in
                guard let range = output.ranges?[index], range.upper != range.lower else { return .fixed(size) }
                return .unknown
            } : nil
            b.outputs.append(ValueInfo(name: source, type: ValueType(dataType: wanted, shape: shape)))
        }
        let graph = Graph(name: "main", nodes: b.nodes, inputs: b.inputs, outputs: b.outputs, initializers: b.initializers,
                          initializerOrder: b.initializerOrder)
        var model = Model(graph: graph, opsets: ["": opset], producerName: "ferry (Core ML NeuralNetwork read back)")
        do {
            try model.graph.sortAndVerify()
        } catch {
            throw CoreMLReadError.spec(file: file, "the layers do not form a graph: \(error)")
        }
        model.metadata = metadata
        return model
    }
}

/// Collects the IR graph while the importer walks the layers.
final class NNGraphBuilder {
    let file: String
    var nodes: [Node] = []
    var inputs: [ValueInfo] = []
    var outputs: [ValueInfo] = []
    var initializers: [String: Tensor] = [:]
    var initializerOrder: [String] = []
    /// Blob → IR value, where they differ (graph inputs keep their source names).
    var names: [String: String] = [:]
    /// Blob → the source value it was written for (short names given back), where known.
    var sources: [String: String] = [:]
    /// IR values defined so far.
    var defined = Set<String>()
    /// Blobs made so far (inputs included).
    var blobs = Set<String>()

    init(file: String) {
        self.file = file
    }

    func name(_ blob: String) -> String { names[blob] ?? sources[blob] ?? blob }

    func node(_ op: String, _ inputs: [String], _ outputs: [String], _ attributes: [String: Attribute] = [:]) {
        nodes.append(Node(name: "\(outputs[0])/\(op)", opType: op, inputs: inputs, outputs: outputs, attributes: attributes))
        for output in outputs { defined.insert(output) }
    }

    /// A fresh initializer holding `tensor`.
    func initializer(_ tensor: Tensor, _ base: String) -> String {
        var name = base
        var suffix = 1
        while initializers[name] != nil || defined.contains(name) { name = "\(base)_\(suffix)"; suffix += 1 }
        initializers[name] = tensor
        initializerOrder.append(name)
        return name
    }

    func floats(_ values: [Float], _ shape: [Int], _ base: String) -> String { initializer(Tensor(shape: shape, values: values), base) }
    func int64s(_ values: [Int], _ base: String) -> String { initializer(Tensor(shape: [values.count], values: values.map { Int64($0) }), base) }
}
