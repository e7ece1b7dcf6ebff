extension TFLiteSupportMetadata {
    /// Parses a metadata flatbuffer (the reader for `ferry inspect` and round-trip tests).
    public init(flatbuffer bytes: [UInt8]) throws {
        let reader = FlatBufferReader(bytes: bytes)
        guard reader.fileIdentifier == Self.fileIdentifier else {
            throw TFLiteMetadataError.notMetadata(found: reader.fileIdentifier ?? "")
        }
        typealias S = MetadataSlots
        let root = try reader.rootTable()
        self.init()
        name = try root.string(S.ModelMetadata.name) ?? ""
        description = try root.string(S.ModelMetadata.description) ?? ""
        version = try root.string(S.ModelMetadata.version) ?? ""
        author = try root.string(S.ModelMetadata.author) ?? ""
        license = try root.string(S.ModelMetadata.license) ?? ""
        minParserVersion = try root.string(S.ModelMetadata.minParserVersion) ?? ""
        guard let subgraph = try root.tables(S.ModelMetadata.subgraphs).first else { return }
        subgraphName = try subgraph.string(S.SubGraphMetadata.name) ?? ""
        func tensor(_ t: FlatBufferTable) throws -> Tensor {
            var result = Tensor(name: try t.string(S.TensorMetadata.name) ?? "")
            result.description = try t.string(S.TensorMetadata.description) ?? ""
            if let content = try t.table(S.TensorMetadata.content),
               try content.scalar(S.Content.propertiesType, default: UInt8(0)) == S.imageProperties,
               let image = try content.table(S.Content.properties) {
                let size = try image.table(S.ImageProperties.defaultSize)
                result.content = .image(grayscale: try image.scalar(S.ImageProperties.colorSpace, default: Int8(0)) == S.grayscale,
                                        width: Int(try size?.scalar(S.ImageSize.width, default: UInt32(0)) ?? 0),
                                        height: Int(try size?.scalar(S.ImageSize.height, default: UInt32(0)) ?? 0))
            }
            for unit in try t.tables(S.TensorMetadata.processUnits)
            where try unit.scalar(S.ProcessUnit.optionsType, default: UInt8(0)) == S.normalizationOptions {
                if let options = try unit.table(S.ProcessUnit.options) {
                    result.normalization = (try options.floats(S.NormalizationOptions.mean), try options.floats(S.NormalizationOptions.std))
                }
            }
            if let stats = try t.table(S.TensorMetadata.stats) {
                result.max = try stats.floats(S.Stats.max)
                result.min = try stats.floats(S.Stats.min)
            }
            result.associatedFiles = try t.tables(S.TensorMetadata.associatedFiles).map { f in
                AssociatedFile(name: try f.string(S.AssociatedFile.name) ?? "", description: try f.string(S.AssociatedFile.description) ?? "",
                               type: FileType(rawValue: try f.scalar(S.AssociatedFile.type, default: Int8(0))) ?? .unknown)
            }
            return result
        }
        inputs = try subgraph.tables(S.SubGraphMetadata.inputs).map(tensor)
        outputs = try subgraph.tables(S.SubGraphMetadata.outputs).map(tensor)
    }
}
