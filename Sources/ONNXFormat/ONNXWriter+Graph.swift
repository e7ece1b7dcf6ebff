import CONNX
import FerryIR

/// Builds the protobuf-c message tree for one model. Everything it allocates lives in `arena`;
/// tensors at least `externalThreshold` bytes long are placed in `external` instead of inline.
struct ProtoBuilder {
    let path: String
    let arena: ProtoArena
    let external: ExternalDataLayout?

    func model(_ model: Model) throws -> UnsafeMutablePointer<Onnx__ModelProto> {
        let graph = try self.graph(model.graph)
        let opsets = model.opsets
            .map { ($0.key == "ai.onnx" ? "" : $0.key, $0.value) }
            .sorted { $0.0 < $1.0 }
            .map { domain, version in
                let entry: UnsafeMutablePointer<Onnx__OperatorSetIdProto> = arena.message(onnx__operator_set_id_proto__init)
                entry.pointee.domain = arena.string(domain)
                entry.pointee.has_version = 1
                entry.pointee.version = Int64(version)
                return Optional(entry)
            }
        let proto: UnsafeMutablePointer<Onnx__ModelProto> = arena.message(onnx__model_proto__init)
        if model.irVersion > 0 {
            proto.pointee.has_ir_version = 1
            proto.pointee.ir_version = Int64(model.irVersion)
        }
        proto.pointee.n_opset_import = opsets.count
        proto.pointee.opset_import = arena.array(opsets)
        proto.pointee.producer_name = arena.string(ONNXWriter.producerName)
        proto.pointee.producer_version = arena.string(ONNXWriter.producerVersion)
        if model.modelVersion != 0 {
            proto.pointee.has_model_version = 1
            proto.pointee.model_version = Int64(model.modelVersion)
        }
        proto.pointee.doc_string = optionalString(model.docString)
        proto.pointee.graph = graph
        let metadata = model.metadata.sorted { $0.key < $1.key }.map { key, value in
            let entry: UnsafeMutablePointer<Onnx__StringStringEntryProto> = arena.message(onnx__string_string_entry_proto__init)
            entry.pointee.key = arena.string(key)
            entry.pointee.value = arena.string(value)
            return Optional(entry)
        }
        proto.pointee.n_metadata_props = metadata.count
        proto.pointee.metadata_props = arena.array(metadata)
        return proto
    }

    func graph(_ graph: Graph) throws -> UnsafeMutablePointer<Onnx__GraphProto> {
        let proto: UnsafeMutablePointer<Onnx__GraphProto> = arena.message(onnx__graph_proto__init)
        proto.pointee.name = optionalString(graph.name)
        proto.pointee.doc_string = optionalString(graph.docString)

        let nodes = try graph.nodes.map { Optional(try node($0)) }
        proto.pointee.n_node = nodes.count
        proto.pointee.node = arena.array(nodes)

        // Initializers in `initializerOrder`; any the order misses follow, sorted by name.
        var names = graph.initializerOrder.filter { graph.initializers[$0] != nil }
        var listed = Set<String>()
        names = names.filter { listed.insert($0).inserted }
        names += graph.initializers.keys.filter { !listed.contains($0) }.sorted()
        let initializers = try names.map { name in
            Optional(try tensor(graph.initializers[name]!, name: name, mayGoExternal: true))
        }
        proto.pointee.n_initializer = initializers.count
        proto.pointee.initializer = arena.array(initializers)

        let inputs = graph.inputs.map { Optional(valueInfo($0)) }
        proto.pointee.n_input = inputs.count
        proto.pointee.input = arena.array(inputs)
        let outputs = graph.outputs.map { Optional(valueInfo($0)) }
        proto.pointee.n_output = outputs.count
        proto.pointee.output = arena.array(outputs)
        let annotated = graph.valueInfo.keys.sorted().map { Optional(valueInfo(graph.valueInfo[$0]!)) }
        proto.pointee.n_value_info = annotated.count
        proto.pointee.value_info = arena.array(annotated)
        return proto
    }

    func node(_ node: Node) throws -> UnsafeMutablePointer<Onnx__NodeProto> {
        guard !node.opType.isEmpty else {
            throw ONNXError.invalidField(file: path, field: "node '\(node.name)' op_type", reason: "is empty")
        }
        let proto: UnsafeMutablePointer<Onnx__NodeProto> = arena.message(onnx__node_proto__init)
        let inputs = node.inputs.map { Optional(arena.string($0)) }
        proto.pointee.n_input = inputs.count
        proto.pointee.input = arena.array(inputs)
        let outputs = node.outputs.map { Optional(arena.string($0)) }
        proto.pointee.n_output = outputs.count
        proto.pointee.output = arena.array(outputs)
        proto.pointee.name = optionalString(node.name)
        proto.pointee.op_type = arena.string(node.opType)
        proto.pointee.domain = optionalString(node.domain)
        proto.pointee.doc_string = optionalString(node.docString)
        let attributes = try node.attributes.keys.sorted().map { name in
            Optional(try attribute(name, node.attributes[name]!, node: node))
        }
        proto.pointee.n_attribute = attributes.count
        proto.pointee.attribute = arena.array(attributes)
        return proto
    }

    func attribute(_ name: String, _ value: Attribute, node: Node) throws -> UnsafeMutablePointer<Onnx__AttributeProto> {
        let proto: UnsafeMutablePointer<Onnx__AttributeProto> = arena.message(onnx__attribute_proto__init)
        proto.pointee.name = arena.string(name)
        proto.pointee.has_type = 1
        func tensorName(_ index: Int? = nil) -> String {
            "attribute '\(name)'\(index.map { "[\($0)]" } ?? "") of node \(node.label)"
        }
        switch value {
        case .float(let v):
            proto.pointee.type = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOAT
            proto.pointee.has_f = 1
            proto.pointee.f = v
        case .int(let v):
            proto.pointee.type = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT
            proto.pointee.has_i = 1
            proto.pointee.i = Int64(v)
        case .string(let v):
            proto.pointee.type = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__STRING
            proto.pointee.has_s = 1
            proto.pointee.s = arena.bytes(v)
        case .tensor(let v):
            proto.pointee.type = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__TENSOR
            proto.pointee.t = try tensor(v, name: "", label: tensorName(), mayGoExternal: false)
        case .graph(let v):
            proto.pointee.type = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__GRAPH
            proto.pointee.g = try graph(v)
        case .floats(let v):
            proto.pointee.type = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOATS
            proto.pointee.n_floats = v.count
            proto.pointee.floats = arena.array(v)
        case .ints(let v):
            proto.pointee.type = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INTS
            proto.pointee.n_ints = v.count
            proto.pointee.ints = arena.array(v.map { Int64($0) })
        case .strings(let v):
            proto.pointee.type = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__STRINGS
            proto.pointee.n_strings = v.count
            proto.pointee.strings = arena.array(v.map { arena.bytes($0) })
        case .tensors(let v):
            proto.pointee.type = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__TENSORS
            let tensors = try v.enumerated().map { index, item in
                Optional(try tensor(item, name: "", label: tensorName(index), mayGoExternal: false))
            }
            proto.pointee.n_tensors = tensors.count
            proto.pointee.tensors = arena.array(tensors)
        case .graphs(let v):
            proto.pointee.type = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__GRAPHS
            let graphs = try v.map { Optional(try graph($0)) }
            proto.pointee.n_graphs = graphs.count
            proto.pointee.graphs = arena.array(graphs)
        }
        return proto
    }

    func valueInfo(_ info: ValueInfo) -> UnsafeMutablePointer<Onnx__ValueInfoProto> {
        let proto: UnsafeMutablePointer<Onnx__ValueInfoProto> = arena.message(onnx__value_info_proto__init)
        proto.pointee.name = arena.string(info.name)
        proto.pointee.doc_string = optionalString(info.docString)
        guard let type = info.type else { return proto }
        let tensorType: UnsafeMutablePointer<Onnx__TypeProto__Tensor> = arena.message(onnx__type_proto__tensor__init)
        tensorType.pointee.has_elem_type = 1
        tensorType.pointee.elem_type = type.dataType.rawValue
        if let shape = type.shape {
            let dims = shape.map { dim in
                let entry: UnsafeMutablePointer<Onnx__TensorShapeProto__Dimension> = arena.message(onnx__tensor_shape_proto__dimension__init)
                switch dim {
                case .fixed(let size):
                    entry.pointee.value_case = ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE
                    entry.pointee.dim_value = Int64(size)
                case .symbol(let symbol):
                    entry.pointee.value_case = ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_PARAM
                    entry.pointee.dim_param = arena.string(symbol)
                case .unknown:
                    break
                }
                return Optional(entry)
            }
            let shapeProto: UnsafeMutablePointer<Onnx__TensorShapeProto> = arena.message(onnx__tensor_shape_proto__init)
            shapeProto.pointee.n_dim = dims.count
            shapeProto.pointee.dim = arena.array(dims)
            tensorType.pointee.shape = shapeProto
        }
        let typeProto: UnsafeMutablePointer<Onnx__TypeProto> = arena.message(onnx__type_proto__init)
        typeProto.pointee.value_case = ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE
        typeProto.pointee.tensor_type = tensorType
        proto.pointee.type = typeProto
        return proto
    }

    /// Empty strings are left out of the message, as ONNX's own writers do.
    func optionalString(_ text: String) -> UnsafeMutablePointer<CChar>? {
        text.isEmpty ? nil : arena.string(text)
    }
}
