import FerryFlatBuffers
import FerryIR
import ONNXOpsets

/// ORT format nodes: op, domain, since-version, index, argument names and counts, attributes.
enum ORTNode {
    static func write(_ node: Node, index: Int, schema: ONNXSchemas.Schema, into builder: inout FlatBufferBuilder) throws -> FlatBufferBuilder.Offset {
        let attributes = try node.attributes.keys.sorted().map { name in
            try writeAttribute(name: name, node.attributes[name]!, node: node, into: &builder)
        }
        let attributeVector = builder.createVector(offsets: attributes)
        var inputs = node.inputs
        while inputs.last == "" { inputs.removeLast() }
        let inputVector = builder.createVector(offsets: inputs.map { builder.createSharedString($0) })
        let outputVector = builder.createVector(offsets: node.outputs.map { builder.createSharedString($0) })
        let counts = builder.createVector(argumentCounts(inputs.count, schema: schema))
        let implicit = builder.createVector(offsets: [])
        let name = builder.createSharedString(node.name)
        let doc = node.docString.isEmpty ? nil : builder.createSharedString(node.docString)
        let domain = builder.createSharedString(node.domain == "ai.onnx" ? "" : node.domain)
        let opType = builder.createSharedString(node.opType)
        builder.startTable(fieldCount: ORTSchema.Node.fieldCount)
        builder.add(ORTSchema.Node.name, offset: name)
        builder.add(ORTSchema.Node.docString, offset: doc)
        builder.add(ORTSchema.Node.domain, offset: domain)
        builder.add(ORTSchema.Node.sinceVersion, Int32(schema.sinceVersion), default: 0)
        builder.add(ORTSchema.Node.index, UInt32(index), default: 0)
        builder.add(ORTSchema.Node.opType, offset: opType)
        builder.add(ORTSchema.Node.inputs, offset: inputVector)
        builder.add(ORTSchema.Node.outputs, offset: outputVector)
        builder.add(ORTSchema.Node.attributes, offset: attributeVector)
        builder.add(ORTSchema.Node.inputArgCounts, offset: counts)
        builder.add(ORTSchema.Node.implicitInputs, offset: implicit)
        return builder.endTable()
    }

    /// Actual arguments per formal input, as ONNX Runtime counts them: 1 or 0 for a single or
    /// optional input, the rest of the arguments for a variadic last one.
    static func argumentCounts(_ actual: Int, schema: ONNXSchemas.Schema) -> [Int32] {
        schema.inputs.enumerated().map { index, parameter in
            if parameter.option == .variadic { return Int32(max(actual - index, 0)) }
            return index < actual ? 1 : 0
        }
    }

    static func writeAttribute(name: String, _ value: Attribute, node: Node, into builder: inout FlatBufferBuilder) throws -> FlatBufferBuilder.Offset {
        let nameOffset = builder.createSharedString(name)
        var type: Int32 = 0
        var f: Float = 0, i: Int64 = 0
        var s: FlatBufferBuilder.Offset?, t: FlatBufferBuilder.Offset?
        var floats: FlatBufferBuilder.Offset?, ints: FlatBufferBuilder.Offset?, strings: FlatBufferBuilder.Offset?, tensors: FlatBufferBuilder.Offset?
        switch value {
        case .float(let v): type = ORTSchema.AttributeType.float; f = v
        case .int(let v): type = ORTSchema.AttributeType.int; i = Int64(v)
        case .string(let v): type = ORTSchema.AttributeType.string; s = builder.createSharedString(v)
        case .tensor(let v): type = ORTSchema.AttributeType.tensor; t = try ORTTensor.write(v, name: "", into: &builder)
        case .floats(let v): type = ORTSchema.AttributeType.floats; floats = builder.createVector(v)
        case .ints(let v): type = ORTSchema.AttributeType.ints; ints = builder.createVector(v.map { Int64($0) })
        case .strings(let v): type = ORTSchema.AttributeType.strings; strings = builder.createVector(offsets: v.map { builder.createSharedString($0) })
        case .tensors(let v):
            type = ORTSchema.AttributeType.tensors
            let offsets = try v.map { try ORTTensor.write($0, name: "", into: &builder) }
            tensors = builder.createVector(offsets: offsets)
        case .graph, .graphs:
            throw ORTError.unsupported(what: "node \(node.label) attribute '\(name)'", reason: "is a subgraph; Ferry's ORT writer does not write subgraphs yet")
        }
        builder.startTable(fieldCount: ORTSchema.Attribute.fieldCount)
        builder.add(ORTSchema.Attribute.name, offset: nameOffset)
        builder.add(ORTSchema.Attribute.type, type, default: 0)
        builder.add(ORTSchema.Attribute.f, f, default: 0)
        builder.add(ORTSchema.Attribute.i, i, default: 0)
        builder.add(ORTSchema.Attribute.s, offset: s)
        builder.add(ORTSchema.Attribute.t, offset: t)
        builder.add(ORTSchema.Attribute.floats, offset: floats)
        builder.add(ORTSchema.Attribute.ints, offset: ints)
        builder.add(ORTSchema.Attribute.strings, offset: strings)
        builder.add(ORTSchema.Attribute.tensors, offset: tensors)
        return builder.endTable()
    }
}
