/// Why a model could not be serialized.
public enum TFLiteWriteError: Error, Sendable, CustomStringConvertible {
    /// Flatbuffers address at most 2 GiB; larger models need external buffers.
    case tooLarge(bytes: Int)
    /// An options value read from a file whose table layout this library does not model.
    case unsupportedOptions(operatorIndex: Int, unionType: UInt8)

    public var description: String {
        switch self {
        case .tooLarge(let bytes): return "the model needs \(bytes) bytes; a flatbuffer holds at most 2 GiB"
        case .unsupportedOptions(let index, let type):
            return "operator \(index) has builtin options of union type \(type), which this writer cannot write"
        }
    }
}

/// Serializes a `TFLiteModel` to flatbuffer bytes with the "TFL3" file identifier.
///
/// Buffer data is 16-byte aligned (TFLM maps it in place). The same model always gives the same
/// bytes: objects are written in model order and nothing depends on hashing or time.
public enum TFLiteWriter {
    static let bufferAlignment = 16
    static let fileIdentifier = "TFL3"

    public static func write(_ model: TFLiteModel) throws -> [UInt8] {
        let dataBytes = model.buffers.reduce(0) { $0 + $1.data.count + bufferAlignment }
        guard dataBytes < Int(Int32.max) - (1 << 20) else { throw TFLiteWriteError.tooLarge(bytes: dataBytes) }
        var builder = FlatBufferBuilder(initialCapacity: dataBytes + 4096)
        typealias F = TFLiteFields

        // Buffers first: written first, they sit at the end of the file, after the graph.
        var buffers: [FlatBufferBuilder.Offset] = []
        for buffer in model.buffers {
            let data = buffer.data.isEmpty ? nil : buffer.data.withUnsafeBytes {
                builder.createVector(bytes: $0, alignment: bufferAlignment)
            }
            builder.startTable(fieldCount: F.Buffer.count)
            builder.add(F.Buffer.data, offset: data)
            buffers.append(builder.endTable())
        }
        let buffersVector = builder.createVector(offsets: buffers)

        var codes: [FlatBufferBuilder.Offset] = []
        for code in model.operatorCodes {
            let custom = code.customCode.map { builder.createString($0) }
            builder.startTable(fieldCount: F.OperatorCode.count)
            let narrow = Int8(clamping: min(code.builtin.rawValue, TFLiteBuiltinOperator.placeholderForGreaterOpCodes.rawValue))
            builder.add(F.OperatorCode.deprecatedBuiltinCode, narrow, default: 0)
            builder.add(F.OperatorCode.customCode, offset: custom)
            builder.add(F.OperatorCode.version, code.version, default: 1)
            builder.add(F.OperatorCode.builtinCode, code.builtin.rawValue, default: 0)
            codes.append(builder.endTable())
        }
        let codesVector = builder.createVector(offsets: codes)

        var subgraphs: [FlatBufferBuilder.Offset] = []
        for subgraph in model.subgraphs {
            subgraphs.append(try writeSubgraph(subgraph, into: &builder))
        }
        let subgraphsVector = builder.createVector(offsets: subgraphs)

        var metadata: [FlatBufferBuilder.Offset] = []
        for entry in model.metadata {
            let name = builder.createString(entry.name)
            builder.startTable(fieldCount: F.Metadata.count)
            builder.add(F.Metadata.name, offset: name)
            builder.add(F.Metadata.buffer, entry.buffer, default: 0)
            metadata.append(builder.endTable())
        }
        let metadataVector = model.metadata.isEmpty ? nil : builder.createVector(offsets: metadata)

        var signatures: [FlatBufferBuilder.Offset] = []
        for signature in model.signatureDefs {
            func maps(_ entries: [TFLiteSignatureDef.TensorMap]) -> FlatBufferBuilder.Offset {
                var tables: [FlatBufferBuilder.Offset] = []
                for entry in entries {
                    let name = builder.createString(entry.name)
                    builder.startTable(fieldCount: F.TensorMap.count)
                    builder.add(F.TensorMap.name, offset: name)
                    builder.add(F.TensorMap.tensorIndex, entry.tensorIndex, default: 0)
                    tables.append(builder.endTable())
                }
                return builder.createVector(offsets: tables)
            }
            let inputs = maps(signature.inputs)
            let outputs = maps(signature.outputs)
            let key = builder.createString(signature.signatureKey)
            builder.startTable(fieldCount: F.SignatureDef.count)
            builder.add(F.SignatureDef.inputs, offset: inputs)
            builder.add(F.SignatureDef.outputs, offset: outputs)
            builder.add(F.SignatureDef.signatureKey, offset: key)
            builder.add(F.SignatureDef.subgraphIndex, signature.subgraphIndex, default: 0)
            signatures.append(builder.endTable())
        }
        let signaturesVector = model.signatureDefs.isEmpty ? nil : builder.createVector(offsets: signatures)
        let description = builder.createString(model.description)

        builder.startTable(fieldCount: F.Model.count)
        builder.add(F.Model.version, model.version, default: 0)
        builder.add(F.Model.operatorCodes, offset: codesVector)
        builder.add(F.Model.subgraphs, offset: subgraphsVector)
        builder.add(F.Model.description, offset: description)
        builder.add(F.Model.buffers, offset: buffersVector)
        builder.add(F.Model.metadata, offset: metadataVector)
        builder.add(F.Model.signatureDefs, offset: signaturesVector)
        let root = builder.endTable()
        let bytes = builder.finish(root: root, fileIdentifier: fileIdentifier)
        guard bytes.count < Int(Int32.max) else { throw TFLiteWriteError.tooLarge(bytes: bytes.count) }
        return bytes
    }

    private static func writeSubgraph(_ subgraph: TFLiteSubgraph, into builder: inout FlatBufferBuilder) throws -> FlatBufferBuilder.Offset {
        typealias F = TFLiteFields
        var tensors: [FlatBufferBuilder.Offset] = []
        for tensor in subgraph.tensors {
            let shape = builder.createVector(tensor.shape)
            let signature = tensor.shapeSignature.map { builder.createVector($0) }
            let name = builder.createString(tensor.name)
            let quantization = tensor.quantization.map { writeQuantization($0, into: &builder) }
            builder.startTable(fieldCount: F.Tensor.count)
            builder.add(F.Tensor.shape, offset: shape)
            builder.add(F.Tensor.type, tensor.type.rawValue, default: 0)
            builder.add(F.Tensor.buffer, tensor.buffer, default: 0)
            builder.add(F.Tensor.name, offset: name)
            builder.add(F.Tensor.quantization, offset: quantization)
            builder.add(F.Tensor.isVariable, tensor.isVariable, default: false)
            builder.add(F.Tensor.shapeSignature, offset: signature)
            builder.add(F.Tensor.hasRank, tensor.hasRank, default: false)
            tensors.append(builder.endTable())
        }
        let tensorsVector = builder.createVector(offsets: tensors)
        let inputs = builder.createVector(subgraph.inputs)
        let outputs = builder.createVector(subgraph.outputs)
        var operators: [FlatBufferBuilder.Offset] = []
        for (index, op) in subgraph.operators.enumerated() {
            let opInputs = builder.createVector(op.inputs)
            let opOutputs = builder.createVector(op.outputs)
            let intermediates = op.intermediates.isEmpty ? nil : builder.createVector(op.intermediates)
            let options = try writeOptions(op.options, operator: index, into: &builder)
            builder.startTable(fieldCount: F.Operator.count)
            builder.add(F.Operator.opcodeIndex, op.opcodeIndex, default: 0)
            builder.add(F.Operator.inputs, offset: opInputs)
            builder.add(F.Operator.outputs, offset: opOutputs)
            builder.add(F.Operator.builtinOptionsType, op.options.unionType, default: 0)
            builder.add(F.Operator.builtinOptions, offset: options)
            builder.add(F.Operator.intermediates, offset: intermediates)
            operators.append(builder.endTable())
        }
        let operatorsVector = builder.createVector(offsets: operators)
        let name = builder.createString(subgraph.name)
        builder.startTable(fieldCount: F.SubGraph.count)
        builder.add(F.SubGraph.tensors, offset: tensorsVector)
        builder.add(F.SubGraph.inputs, offset: inputs)
        builder.add(F.SubGraph.outputs, offset: outputs)
        builder.add(F.SubGraph.operators, offset: operatorsVector)
        builder.add(F.SubGraph.name, offset: name)
        return builder.endTable()
    }

    private static func writeQuantization(_ q: TFLiteQuantization, into builder: inout FlatBufferBuilder) -> FlatBufferBuilder.Offset {
        typealias F = TFLiteFields.Quantization
        let minimum = q.min.isEmpty ? nil : builder.createVector(q.min)
        let maximum = q.max.isEmpty ? nil : builder.createVector(q.max)
        let scale = q.scale.isEmpty ? nil : builder.createVector(q.scale)
        let zeroPoint = q.zeroPoint.isEmpty ? nil : builder.createVector(q.zeroPoint)
        builder.startTable(fieldCount: F.count)
        builder.add(F.min, offset: minimum)
        builder.add(F.max, offset: maximum)
        builder.add(F.scale, offset: scale)
        builder.add(F.zeroPoint, offset: zeroPoint)
        builder.add(F.quantizedDimension, q.quantizedDimension, default: 0)
        return builder.endTable()
    }
}
