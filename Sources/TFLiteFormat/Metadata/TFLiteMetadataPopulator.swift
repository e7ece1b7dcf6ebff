/// Adds support-library metadata to a written `.tflite`, as tflite-support's MetadataPopulator
/// does: the metadata flatbuffer in a new buffer named by a `TFLITE_METADATA` metadata entry,
/// and the associated files (labels) in a ZIP archive appended to the flatbuffer.
public enum TFLiteMetadataPopulator {
    /// `model` (a .tflite file's bytes, without metadata) with `metadata` and `files` added.
    public static func populate(_ model: [UInt8], metadata: TFLiteSupportMetadata, files: [(name: String, bytes: [UInt8])]) throws -> [UInt8] {
        var parsed = try TFLiteReader.read(model)
        guard parsed.subgraphs.count == 1 else { throw TFLiteMetadataError.invalid("support-library metadata describes exactly one subgraph; the model has \(parsed.subgraphs.count)") }
        guard parsed.subgraphs[0].inputs.count == metadata.inputs.count, parsed.subgraphs[0].outputs.count == metadata.outputs.count else {
            throw TFLiteMetadataError.invalid("metadata for \(metadata.inputs.count) inputs and \(metadata.outputs.count) outputs; the model has \(parsed.subgraphs[0].inputs.count) and \(parsed.subgraphs[0].outputs.count)")
        }
        parsed.metadata.removeAll { $0.name == TFLiteSupportMetadata.fieldName }
        parsed.buffers.append(TFLiteBuffer(data: metadata.flatbuffer()))
        parsed.metadata.append(TFLiteMetadata(name: TFLiteSupportMetadata.fieldName, buffer: UInt32(parsed.buffers.count - 1)))
        let flatbuffer = try TFLiteWriter.write(parsed)
        return files.isEmpty ? flatbuffer : flatbuffer + ZipArchive.archive(files, base: flatbuffer.count)
    }

    /// The support-library metadata of a `.tflite` file's bytes and its packed files, nil when
    /// it has none.
    public static func read(_ bytes: [UInt8]) throws -> (metadata: TFLiteSupportMetadata, files: [(name: String, bytes: [UInt8])])? {
        let model = try TFLiteReader.read(bytes)
        guard let entry = model.metadata.first(where: { $0.name == TFLiteSupportMetadata.fieldName }) else { return nil }
        guard Int(entry.buffer) < model.buffers.count else {
            throw TFLiteMetadataError.invalid("\(TFLiteSupportMetadata.fieldName) points at buffer \(entry.buffer) of \(model.buffers.count)")
        }
        return (try TFLiteSupportMetadata(flatbuffer: model.buffers[Int(entry.buffer)].data), try ZipArchive.files(in: bytes))
    }
}
