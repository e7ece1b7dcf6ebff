import FerryFlatBuffers
import FerryIR

/// Reads an ORT format file back into Ferry's IR: opsets, initializers, typed values, nodes
/// and attributes (what `ferry convert` verifies and `ferry inspect` summarises). Bounds are
/// checked by `FlatBufferReader`; a malformed file is an `ORTError.invalid` naming the field.
public enum ORTReader {
    public struct Summary: Sendable {
        public var formatVersion: String
        /// Op ids (`domain:op:since`) the kernel type string resolver covers.
        public var kernelTypeStringOps: [String]
    }

    public static func read(_ bytes: [UInt8], file: String = "<memory>") throws -> (model: Model, summary: Summary) {
        let reader = FlatBufferReader(bytes: bytes)
        guard reader.fileIdentifier == ORTSchema.fileIdentifier else {
            throw ORTError.invalid(file: file, field: "file identifier", reason: "is '\(reader.fileIdentifier ?? "")', not '\(ORTSchema.fileIdentifier)' (not an ORT format file)")
        }
        do {
            let session = try reader.rootTable()
            let version = try session.string(ORTSchema.InferenceSession.ortVersion) ?? ""
            guard let modelTable = try session.table(ORTSchema.InferenceSession.model) else {
                throw ORTError.invalid(file: file, field: "InferenceSession.model", reason: "is missing")
            }
            guard let graphTable = try modelTable.table(ORTSchema.Model.graph) else {
                throw ORTError.invalid(file: file, field: "Model.graph", reason: "is missing")
            }
            var opsets: [String: Int] = [:]
            for entry in try modelTable.tables(ORTSchema.Model.opsetImport) {
                opsets[try entry.string(ORTSchema.OperatorSetId.domain) ?? ""] = Int(try entry.scalar(ORTSchema.OperatorSetId.version, default: Int64(0)))
            }
            var metadata: [String: String] = [:]
            for entry in try modelTable.tables(ORTSchema.Model.metadataProps) {
                metadata[try entry.string(ORTSchema.StringStringEntry.key) ?? ""] = try entry.string(ORTSchema.StringStringEntry.value) ?? ""
            }
            var graph = try readGraph(graphTable, file: file)
            graph.docString = try modelTable.string(ORTSchema.Model.graphDocString) ?? ""
            do { try graph.sortAndVerify() } catch let error as GraphError {
                throw ORTError.invalid(file: file, field: "graph", reason: "\(error)")
            }
            let model = Model(graph: graph, opsets: opsets,
                              irVersion: Int(try modelTable.scalar(ORTSchema.Model.irVersion, default: Int64(0))),
                              producerName: try modelTable.string(ORTSchema.Model.producerName) ?? "",
                              producerVersion: try modelTable.string(ORTSchema.Model.producerVersion) ?? "",
                              modelVersion: Int(try modelTable.scalar(ORTSchema.Model.modelVersion, default: Int64(0))),
                              docString: try modelTable.string(ORTSchema.Model.docString) ?? "", metadata: metadata)
            var ops: [String] = []
            if let resolver = try session.table(ORTSchema.InferenceSession.kernelTypeStrResolver) {
                ops = try resolver.tables(ORTSchema.KernelTypeStrResolver.opKernelTypeStrArgs).map {
                    try $0.string(ORTSchema.OpIdKernelTypeStrArgsEntry.opId) ?? ""
                }
            }
            return (model, Summary(formatVersion: version, kernelTypeStringOps: ops))
        } catch let error as FlatBufferError {
            throw ORTError.invalid(file: file, field: "flatbuffer", reason: error.description)
        }
    }

    static func readGraph(_ table: FlatBufferTable, file: String) throws -> Graph {
        var types: [String: ValueType] = [:]
        for info in try table.tables(ORTSchema.Graph.nodeArgs) {
            let name = try info.string(ORTSchema.ValueInfo.name) ?? ""
            if let type = try readType(info, file: file, value: name) { types[name] = type }
        }
        var initializers: [String: Tensor] = [:]
        var order: [String] = []
        for tensorTable in try table.tables(ORTSchema.Graph.initializers) {
            let (name, tensor) = try readTensor(tensorTable, file: file)
            initializers[name] = tensor
            order.append(name)
        }
        let nodes = try table.tables(ORTSchema.Graph.nodes).map { try readNode($0, file: file) }
        let inputs = try table.vector(ORTSchema.Graph.inputs, elementSize: 4)?.strings() ?? []
        let outputs = try table.vector(ORTSchema.Graph.outputs, elementSize: 4)?.strings() ?? []
        var valueInfo: [String: ValueInfo] = [:]
        let interface = Set(inputs + outputs)
        for (name, type) in types where initializers[name] == nil && !interface.contains(name) {
            valueInfo[name] = ValueInfo(name: name, type: type)
        }
        return Graph(name: "", nodes: nodes, inputs: inputs.map { ValueInfo(name: $0, type: types[$0]) },
                     outputs: outputs.map { ValueInfo(name: $0, type: types[$0]) }, initializers: initializers,
                     initializerOrder: order, valueInfo: valueInfo)
    }

    static func readType(_ info: FlatBufferTable, file: String, value: String) throws -> ValueType? {
        guard let typeInfo = try info.table(ORTSchema.ValueInfo.type) else { return nil }
        guard try typeInfo.scalar(ORTSchema.TypeInfo.valueType, default: UInt8(0)) == ORTSchema.TypeInfo.tensorType,
              let tensorType = try typeInfo.table(ORTSchema.TypeInfo.value) else {
            throw ORTError.invalid(file: file, field: "value '\(value)' type", reason: "is not a tensor type (sequences and maps are not supported)")
        }
        let code = try tensorType.scalar(ORTSchema.TensorTypeAndShape.elemType, default: Int32(0))
        guard let dataType = DataType(rawValue: code) else {
            throw ORTError.invalid(file: file, field: "value '\(value)' elem_type", reason: "\(code) is not an element type Ferry knows")
        }
        guard let shape = try tensorType.table(ORTSchema.TensorTypeAndShape.shape) else { return ValueType(dataType: dataType, shape: nil) }
        let dims: [Dim] = try shape.tables(ORTSchema.Shape.dim).map { dimension in
            guard let value = try dimension.table(ORTSchema.Dimension.value) else { return .unknown }
            switch try value.scalar(ORTSchema.DimensionValue.dimType, default: Int8(0)) {
            case ORTSchema.DimensionValue.value: return .fixed(Int(try value.scalar(ORTSchema.DimensionValue.dimValue, default: Int64(0))))
            case ORTSchema.DimensionValue.param: return .symbol(try value.string(ORTSchema.DimensionValue.dimParam) ?? "")
            default: return .unknown
            }
        }
        return ValueType(dataType: dataType, shape: dims)
    }

    static func readTensor(_ table: FlatBufferTable, file: String) throws -> (String, Tensor) {
        let name = try table.string(ORTSchema.Tensor.name) ?? ""
        let code = try table.scalar(ORTSchema.Tensor.dataType, default: Int32(0))
        guard let dataType = DataType(rawValue: code) else {
            throw ORTError.invalid(file: file, field: "tensor '\(name)' data_type", reason: "\(code) is not an element type Ferry knows")
        }
        let shape = try table.scalars(ORTSchema.Tensor.dims, as: Int64.self).map { Int($0) }
        guard shape.allSatisfy({ $0 >= 0 }) else { throw ORTError.invalid(file: file, field: "tensor '\(name)' dims", reason: "has a negative dimension") }
        if try table.scalar(ORTSchema.Tensor.externalDataOffset, default: Int64(-1)) >= 0 {
            throw ORTError.invalid(file: file, field: "tensor '\(name)'", reason: "stores its data externally, which Ferry does not read")
        }
        if dataType == .string {
            let strings = try table.vector(ORTSchema.Tensor.stringData, elementSize: 4)?.strings() ?? []
            return (name, Tensor(dataType: .string, shape: shape, storage: TensorStorage(strings: strings)))
        }
        let tensor = Tensor(dataType: dataType, shape: shape)
        let raw = try table.vector(ORTSchema.Tensor.rawData, elementSize: 1)?.bytes ?? []
        guard raw.count == tensor.byteCount else {
            throw ORTError.invalid(file: file, field: "tensor '\(name)' raw_data", reason: "has \(raw.count) bytes, but \(dataType)\(shape) needs \(tensor.byteCount)")
        }
        raw.withUnsafeBytes { source in
            if source.count > 0 { tensor.storage.bytes.copyMemory(from: source.baseAddress!, byteCount: source.count) }
        }
        return (name, tensor)
    }

    static func readNode(_ table: FlatBufferTable, file: String) throws -> Node {
        let opType = try table.string(ORTSchema.Node.opType) ?? ""
        let name = try table.string(ORTSchema.Node.name) ?? ""
        var node = Node(name: name, opType: opType, domain: try table.string(ORTSchema.Node.domain) ?? "",
                        inputs: try table.vector(ORTSchema.Node.inputs, elementSize: 4)?.strings() ?? [],
                        outputs: try table.vector(ORTSchema.Node.outputs, elementSize: 4)?.strings() ?? [],
                        docString: try table.string(ORTSchema.Node.docString) ?? "")
        for attribute in try table.tables(ORTSchema.Node.attributes) {
            let key = try attribute.string(ORTSchema.Attribute.name) ?? ""
            let field = "node '\(name)' (\(opType)) attribute '\(key)'"
            switch try attribute.scalar(ORTSchema.Attribute.type, default: Int32(0)) {
            case ORTSchema.AttributeType.float: node.attributes[key] = .float(try attribute.float(ORTSchema.Attribute.f, default: 0))
            case ORTSchema.AttributeType.int: node.attributes[key] = .int(Int(try attribute.scalar(ORTSchema.Attribute.i, default: Int64(0))))
            case ORTSchema.AttributeType.string: node.attributes[key] = .string(try attribute.string(ORTSchema.Attribute.s) ?? "")
            case ORTSchema.AttributeType.tensor:
                guard let tensor = try attribute.table(ORTSchema.Attribute.t) else { throw ORTError.invalid(file: file, field: field, reason: "has no tensor") }
                node.attributes[key] = .tensor(try readTensor(tensor, file: file).1)
            case ORTSchema.AttributeType.floats: node.attributes[key] = .floats(try attribute.floats(ORTSchema.Attribute.floats))
            case ORTSchema.AttributeType.ints: node.attributes[key] = .ints(try attribute.scalars(ORTSchema.Attribute.ints, as: Int64.self).map { Int($0) })
            case ORTSchema.AttributeType.strings:
                node.attributes[key] = .strings(try attribute.vector(ORTSchema.Attribute.strings, elementSize: 4)?.strings() ?? [])
            case ORTSchema.AttributeType.tensors:
                node.attributes[key] = .tensors(try attribute.tables(ORTSchema.Attribute.tensors).map { try readTensor($0, file: file).1 })
            case let other:
                throw ORTError.invalid(file: file, field: field, reason: "has type \(other), which Ferry does not read (subgraphs, sparse tensors)")
            }
        }
        return node
    }
}
