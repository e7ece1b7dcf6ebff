import FerryFlatBuffers
import FerryIR
import ONNXOpsets

/// Writes Ferry's IR as an ONNX Runtime ORT format file (`.ort`, the flatbuffer ONNX Runtime
/// Mobile loads without the protobuf parser), format version 5, which ONNX Runtime 1.13 and
/// newer load: the graph with every value typed, node edges, and the kernel type string
/// resolver that minimal builds need to match kernels without ONNX's op schemas.
///
/// Constant nodes become initializers (ONNX Runtime folds them while loading an ONNX file; an
/// ORT file is loaded as it is). Output is deterministic: the same model gives the same bytes.
public enum ORTWriter {
    /// The ORT format version written: 5 added the kernel type string resolver (ONNX Runtime
    /// 1.13); 6 added float8 element types, so files holding float8 tensors say 6.
    public static let formatVersion = "5"
    static let float8FormatVersion = "6"

    /// The model as ORT format bytes. Every value of the main graph needs a known element type
    /// (`graph.valueInfo`, as `ShapeInference.infer` fills it); nodes get the since-versions of
    /// the model's opsets.
    public static func serialize(_ model: Model) throws -> [UInt8] {
        let graph = try ORTGraph(model.graph, opsets: model.opsets, label: "graph '\(model.graph.name)'")
        // A flatbuffer addresses its tables with signed 32-bit offsets: 2 GiB at most.
        let weightBytes = graph.initializers.reduce(0) { $0 + $1.tensor.byteCount }
        guard weightBytes < Int(Int32.max) - (64 << 20) else {
            throw ORTError.unsupported(what: "the model", reason: "holds \(weightBytes) bytes of weights; an ORT format file (a flatbuffer) holds less than 2 GiB")
        }
        var builder = FlatBufferBuilder(initialCapacity: 1 << 16)
        let graphOffset = try graph.write(into: &builder)
        let resolver = try ORTKernelTypeStrings.write(graph.schemas, into: &builder)

        let opsets = model.opsets.sorted { $0.key < $1.key }.map { domain, version -> FlatBufferBuilder.Offset in
            let name = builder.createSharedString(domain)
            builder.startTable(fieldCount: ORTSchema.OperatorSetId.fieldCount)
            builder.add(ORTSchema.OperatorSetId.domain, offset: name)
            builder.add(ORTSchema.OperatorSetId.version, Int64(version), default: 0)
            return builder.endTable()
        }
        let opsetVector = builder.createVector(offsets: opsets)
        let metadata = model.metadata.sorted { $0.key < $1.key }.map { key, value -> FlatBufferBuilder.Offset in
            let k = builder.createSharedString(key), v = builder.createSharedString(value)
            builder.startTable(fieldCount: ORTSchema.StringStringEntry.fieldCount)
            builder.add(ORTSchema.StringStringEntry.key, offset: k)
            builder.add(ORTSchema.StringStringEntry.value, offset: v)
            return builder.endTable()
        }
        let metadataVector = metadata.isEmpty ? nil : builder.createVector(offsets: metadata)
        let producerName = builder.createSharedString(model.producerName)
        let producerVersion = builder.createSharedString(model.producerVersion)
        let docString = model.docString.isEmpty ? nil : builder.createSharedString(model.docString)
        let graphDoc = model.graph.docString.isEmpty ? nil : builder.createSharedString(model.graph.docString)
        builder.startTable(fieldCount: ORTSchema.Model.fieldCount)
        builder.add(ORTSchema.Model.irVersion, Int64(model.irVersion), default: 0)
        builder.add(ORTSchema.Model.opsetImport, offset: opsetVector)
        builder.add(ORTSchema.Model.producerName, offset: producerName)
        builder.add(ORTSchema.Model.producerVersion, offset: producerVersion)
        builder.add(ORTSchema.Model.modelVersion, Int64(model.modelVersion), default: 0)
        builder.add(ORTSchema.Model.docString, offset: docString)
        builder.add(ORTSchema.Model.graph, offset: graphOffset)
        builder.add(ORTSchema.Model.graphDocString, offset: graphDoc)
        builder.add(ORTSchema.Model.metadataProps, offset: metadataVector)
        let modelOffset = builder.endTable()

        let usesFloat8 = graph.usesFloat8
        let version = builder.createSharedString(usesFloat8 ? float8FormatVersion : formatVersion)
        builder.startTable(fieldCount: ORTSchema.InferenceSession.fieldCount)
        builder.add(ORTSchema.InferenceSession.ortVersion, offset: version)
        builder.add(ORTSchema.InferenceSession.model, offset: modelOffset)
        builder.add(ORTSchema.InferenceSession.kernelTypeStrResolver, offset: resolver)
        let root = builder.endTable()
        return builder.finish(root: root, fileIdentifier: ORTSchema.fileIdentifier)
    }
}
