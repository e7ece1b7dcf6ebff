import FerryFlatBuffers
import ONNXOpsets

/// The kernel_type_str_resolver section: for every op version the graph uses, which inputs
/// and outputs each kernel type string (a type-constraint name such as `T`) binds to. A minimal
/// ONNX Runtime build (ONNX Runtime Mobile) has no op schemas and matches kernels with it.
/// Entries are sorted by op id (`domain:op:since`) and type string, as flatbuffers' sorted
/// key vectors are, so a reader may binary-search them.
enum ORTKernelTypeStrings {
    static func opID(_ schema: ONNXSchemas.Schema) -> String {
        "\(schema.domain):\(schema.opType):\(schema.sinceVersion)"
    }

    static func write(_ schemas: [ONNXSchemas.Schema], into builder: inout FlatBufferBuilder) throws -> FlatBufferBuilder.Offset {
        var unique: [String: ONNXSchemas.Schema] = [:]
        for schema in schemas { unique[opID(schema)] = schema }
        let ids = unique.keys.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
        let entries = ids.map { id -> FlatBufferBuilder.Offset in
            let groups = unique[id]!.kernelTypeStrings.sorted { Array($0.name.utf8).lexicographicallyPrecedes(Array($1.name.utf8)) }
            let groupOffsets = groups.map { group -> FlatBufferBuilder.Offset in
                let args = group.arguments.map { argument -> FlatBufferBuilder.Offset in
                    builder.startTable(fieldCount: ORTSchema.ArgTypeAndIndex.fieldCount)
                    builder.add(ORTSchema.ArgTypeAndIndex.argType, argument.isOutput ? ORTSchema.ArgTypeAndIndex.output : ORTSchema.ArgTypeAndIndex.input, default: 0)
                    builder.add(ORTSchema.ArgTypeAndIndex.index, UInt32(argument.index), default: 0)
                    return builder.endTable()
                }
                let argVector = builder.createVector(offsets: args)
                let name = builder.createSharedString(group.name)
                builder.startTable(fieldCount: ORTSchema.KernelTypeStrArgsEntry.fieldCount)
                builder.add(ORTSchema.KernelTypeStrArgsEntry.kernelTypeStr, offset: name)
                builder.add(ORTSchema.KernelTypeStrArgsEntry.args, offset: argVector)
                return builder.endTable()
            }
            let groupVector = builder.createVector(offsets: groupOffsets)
            let idOffset = builder.createSharedString(id)
            builder.startTable(fieldCount: ORTSchema.OpIdKernelTypeStrArgsEntry.fieldCount)
            builder.add(ORTSchema.OpIdKernelTypeStrArgsEntry.opId, offset: idOffset)
            builder.add(ORTSchema.OpIdKernelTypeStrArgsEntry.kernelTypeStrArgs, offset: groupVector)
            return builder.endTable()
        }
        let vector = builder.createVector(offsets: entries)
        builder.startTable(fieldCount: ORTSchema.KernelTypeStrResolver.fieldCount)
        builder.add(ORTSchema.KernelTypeStrResolver.opKernelTypeStrArgs, offset: vector)
        return builder.endTable()
    }
}
