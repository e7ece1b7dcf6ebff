import CONNX
import FerryIR

/// State for converting one parsed file: where it came from and where its weights lie.
struct ReadContext {
    let path: String
    let file: MappedFile?
    let rawData: [Range<Int>?]

    func model(_ proto: Onnx__ModelProto) throws -> Model {
        guard let graphProto = proto.graph?.pointee else {
            throw ONNXError.notONNX(file: path, reason: "the ModelProto has no graph")
        }
        var opsets: [String: Int] = [:]
        for entry in repeated(proto.n_opset_import, proto.opset_import) {
            let domain = string(entry.domain)
            opsets[domain == "ai.onnx" ? "" : domain] = entry.has_version != 0 ? Int(entry.version) : 1
        }
        if opsets.isEmpty {
            // IR version 2 files carry no opset_import; ONNX then implies opset 1.
            throw ONNXError.invalidField(file: path, field: "opset_import", reason: "is empty; Ferry reads opset \(ONNXReader.minimumOpset) and newer")
        }
        if let version = opsets[""], version < ONNXReader.minimumOpset {
            throw ONNXError.invalidField(file: path, field: "opset_import", reason: "default-domain opset \(version) is older than \(ONNXReader.minimumOpset), the oldest Ferry reads")
        }
        var metadata: [String: String] = [:]
        for entry in repeated(proto.n_metadata_props, proto.metadata_props) {
            metadata[string(entry.key)] = string(entry.value)
        }
        var graph = try self.graph(graphProto, isMain: true)
        do {
            try graph.sortAndVerify()
        } catch let error as GraphError {
            throw ONNXError.invalidGraph(file: path, error: error)
        }
        return Model(graph: graph, opsets: opsets,
                     irVersion: proto.has_ir_version != 0 ? Int(proto.ir_version) : 0,
                     producerName: string(proto.producer_name), producerVersion: string(proto.producer_version),
                     modelVersion: proto.has_model_version != 0 ? Int(proto.model_version) : 0,
                     docString: string(proto.doc_string), metadata: metadata)
    }

    func graph(_ proto: Onnx__GraphProto, isMain: Bool) throws -> Graph {
        var initializers: [String: Tensor] = [:]
        var order: [String] = []
        let tensorProtos = repeated(proto.n_initializer, proto.initializer)
        for (index, tensorProto) in tensorProtos.enumerated() {
            let name = string(tensorProto.name)
            let range = isMain && index < rawData.count ? rawData[index] : nil
            let tensor = try self.tensor(tensorProto, rawRange: range)
            if initializers.updateValue(tensor, forKey: name) == nil { order.append(name) }
        }
        if proto.n_sparse_initializer > 0 {
            throw ONNXError.invalidField(file: path, field: "graph.sparse_initializer", reason: "sparse initializers are not supported yet")
        }
        let nodes = try repeated(proto.n_node, proto.node).enumerated().map { index, node in
            try self.node(node, index: index)
        }
        var valueInfo: [String: ValueInfo] = [:]
        for info in try repeated(proto.n_value_info, proto.value_info).map(valueInfo(_:)) {
            valueInfo[info.name] = info
        }
        return Graph(name: string(proto.name), nodes: nodes,
                     inputs: try repeated(proto.n_input, proto.input).map(valueInfo(_:)),
                     outputs: try repeated(proto.n_output, proto.output).map(valueInfo(_:)),
                     initializers: initializers, initializerOrder: order, valueInfo: valueInfo,
                     docString: string(proto.doc_string))
    }

    func node(_ proto: Onnx__NodeProto, index: Int) throws -> Node {
        let inputs = repeatedScalars(proto.n_input, proto.input).map { string($0) }
        let outputs = repeatedScalars(proto.n_output, proto.output).map { string($0) }
        let opType = string(proto.op_type)
        var result = Node(name: string(proto.name), opType: opType, domain: string(proto.domain),
                          inputs: inputs, outputs: outputs, docString: string(proto.doc_string))
        if opType.isEmpty {
            throw ONNXError.invalidField(file: path, field: "graph.node[\(index)].op_type", reason: "is empty")
        }
        for attribute in repeated(proto.n_attribute, proto.attribute) {
            let name = string(attribute.name)
            if attribute.ref_attr_name != nil && !string(attribute.ref_attr_name).isEmpty {
                throw ONNXError.invalidField(file: path, field: "node \(result.label) attribute '\(name)'", reason: "refers to a function attribute outside a function")
            }
            result.attributes[name] = try self.attribute(attribute, node: result)
        }
        return result
    }

    func attribute(_ proto: Onnx__AttributeProto, node: Node) throws -> Attribute {
        let field = "node \(node.label) attribute '\(string(proto.name))'"
        var type = proto.has_type != 0 ? proto.type : ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__UNDEFINED
        if type == ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__UNDEFINED {
            // Very old files leave `type` out; infer it from the one field that is set.
            if proto.has_f != 0 { type = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOAT }
            else if proto.has_i != 0 { type = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT }
            else if proto.has_s != 0 { type = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__STRING }
            else if proto.t != nil { type = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__TENSOR }
            else if proto.g != nil { type = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__GRAPH }
            else if proto.n_floats > 0 { type = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOATS }
            else if proto.n_ints > 0 { type = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INTS }
            else if proto.n_strings > 0 { type = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__STRINGS }
            else { throw ONNXError.invalidField(file: path, field: field, reason: "has no type and no value") }
        }
        switch type {
        case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOAT: return .float(proto.f)
        case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT: return .int(Int(proto.i))
        case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__STRING: return .string(string(proto.s))
        case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__TENSOR:
            guard let tensor = proto.t?.pointee else {
                throw ONNXError.invalidField(file: path, field: field, reason: "is a tensor attribute without a tensor")
            }
            return .tensor(try self.tensor(tensor, rawRange: nil))
        case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__GRAPH:
            guard let graph = proto.g?.pointee else {
                throw ONNXError.invalidField(file: path, field: field, reason: "is a graph attribute without a graph")
            }
            return .graph(try self.graph(graph, isMain: false))
        case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOATS:
            return .floats(repeatedScalars(proto.n_floats, proto.floats))
        case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INTS:
            return .ints(repeatedScalars(proto.n_ints, proto.ints).map { Int($0) })
        case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__STRINGS:
            return .strings(repeatedScalars(proto.n_strings, proto.strings).map { string($0) })
        case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__TENSORS:
            return .tensors(try repeated(proto.n_tensors, proto.tensors).map { try self.tensor($0, rawRange: nil) })
        case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__GRAPHS:
            return .graphs(try repeated(proto.n_graphs, proto.graphs).map { try self.graph($0, isMain: false) })
        default:
            throw ONNXError.invalidField(file: path, field: field, reason: "has attribute type \(type.rawValue), which Ferry does not support (sparse tensors, type protos)")
        }
    }

    func valueInfo(_ proto: Onnx__ValueInfoProto) throws -> ValueInfo {
        let name = string(proto.name)
        // A type with no kind set is an unknown type, as an absent one is (PyTorch writes such
        // types for the outputs of If branches, which onnxruntime accepts).
        guard let type = proto.type?.pointee, type.value_case != ONNX__TYPE_PROTO__VALUE__NOT_SET else { return ValueInfo(name: name, type: nil) }
        guard type.value_case == ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE, let tensorType = type.tensor_type?.pointee else {
            throw ONNXError.invalidField(file: path, field: "value '\(name)'.type", reason: "sequence, map and optional types are not supported (only tensors)")
        }
        guard tensorType.has_elem_type != 0, let dataType = DataType(rawValue: tensorType.elem_type) else {
            throw ONNXError.invalidField(file: path, field: "value '\(name)'.type.elem_type", reason: "element type \(tensorType.elem_type) is not supported")
        }
        guard let shapeProto = tensorType.shape?.pointee else {
            return ValueInfo(name: name, type: ValueType(dataType: dataType, shape: nil), docString: string(proto.doc_string))
        }
        let dims: [Dim] = repeated(shapeProto.n_dim, shapeProto.dim).map { dim in
            switch dim.value_case {
            case ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE:
                return dim.dim_value >= 0 ? .fixed(Int(dim.dim_value)) : .unknown
            case ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_PARAM:
                let symbol = string(dim.dim_param)
                // "?" is how some exporters (paddle2onnx) spell an anonymous dim, not one shared symbol.
                return symbol.isEmpty || symbol == "?" ? .unknown : .symbol(symbol)
            default:
                return .unknown
            }
        }
        return ValueInfo(name: name, type: ValueType(dataType: dataType, shape: dims), docString: string(proto.doc_string))
    }
}
