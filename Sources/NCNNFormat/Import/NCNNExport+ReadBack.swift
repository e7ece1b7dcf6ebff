import FerryIR

extension NCNNExport {
    /// The written model read back and given `source`'s interface: the same input and output
    /// names, types and shapes (integer inputs such as token ids are cast to the int32 NCNN's
    /// Embed reads from its blob), so it can be verified against the source sample for sample.
    /// The written bytes are parsed, then given back the layer and blob names the short ones
    /// stand for (`names`), so per-layer drift pairs the values with the source's.
    public func readBack(like source: Model) throws -> Model {
        guard let text = String(bytes: paramBytes, encoding: .utf8) else {
            throw NCNNImportError.malformedParam(file: "model.param", line: 1, "the file is not UTF-8 text")
        }
        var model = try NCNNImporter.importModel(try NCNNParamFile.parse(text).renamed(names), bin: binBytes)
        // Each interface value by the name its blob has after renaming.
        let prefix = "ncnn:"
        func held(_ binding: NCNNBlobBinding) -> String { prefix + (names.blobs[binding.blob] ?? binding.blob) }
        var renames: [String: String] = [:]
        for binding in inputs + outputs { renames[names.blobs[binding.blob] ?? binding.blob] = held(binding) }
        var graph = model.graph
        // A blob named after an interface value that is not that value's binding (an LSTM's Y,
        // viewed in another shape before it is an output) would define the name twice.
        let interface = Set((inputs + outputs).map(\.value))
        for node in graph.nodes {
            for output in node.outputs where interface.contains(output) && renames[output] == nil { renames[output] = "ncnn-blob:" + output }
        }
        for index in graph.nodes.indices {
            graph.nodes[index].inputs = graph.nodes[index].inputs.map { renames[$0] ?? $0 }
            graph.nodes[index].outputs = graph.nodes[index].outputs.map { renames[$0] ?? $0 }
        }
        var prologue: [Node] = []
        var epilogue: [Node] = []
        var graphInputs: [ValueInfo] = []
        for binding in inputs {
            guard let info = source.graph.runtimeInputs.first(where: { $0.name == binding.value }) else { continue }
            graphInputs.append(info)
            var value = binding.value
            if binding.dataType != .float32 {
                let fed: DataType = binding.dataType.isInteger ? .int32 : .float32
                prologue.append(Node(name: "ncnn_cast_\(binding.value)", opType: "Cast", inputs: [value], outputs: [value + "/\(fed)"],
                                     attributes: ["to": .int(Int(fed.rawValue))]))
                value += "/\(fed)"
            }
            let shapeName = "ncnn_shape_in_\(binding.value)"
            graph.setInitializer(shapeName, Tensor(shape: [binding.shape.count + 1], values: ([1] + binding.shape).map { Int64($0) }))
            prologue.append(Node(name: "ncnn_input_\(binding.value)", opType: "Reshape", inputs: [value, shapeName], outputs: [held(binding)]))
        }
        var graphOutputs: [ValueInfo] = []
        for binding in outputs {
            guard let info = source.graph.outputs.first(where: { $0.name == binding.value }), let shape = info.type?.staticShape ?? Optional(binding.onnxShape) else {
                throw NCNNExportError.dynamicShape(value: binding.value)
            }
            let shapeName = "ncnn_shape_out_\(binding.value)"
            graph.setInitializer(shapeName, Tensor(shape: [shape.count], values: shape.map { Int64($0) }))
            epilogue.append(Node(name: "ncnn_output_\(binding.value)", opType: "Reshape", inputs: [held(binding), shapeName], outputs: [binding.value]))
            graphOutputs.append(ValueInfo(name: binding.value, type: ValueType(dataType: .float32, dims: shape)))
        }
        graph.nodes = prologue + graph.nodes + epilogue
        graph.inputs = graphInputs
        graph.outputs = graphOutputs
        model.graph = graph
        model.producerName = "ncnn (read back by Ferry)"
        return model
    }
}
