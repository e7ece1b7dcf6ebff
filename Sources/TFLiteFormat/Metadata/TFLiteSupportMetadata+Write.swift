/// Field slots of metadata_schema.fbs, in declaration order (a union takes two: type, value).
enum MetadataSlots {
    enum AssociatedFile { static let name = 0, description = 1, type = 2, count = 5 }
    enum ImageSize { static let width = 0, height = 1, count = 2 }
    enum ImageProperties { static let colorSpace = 0, defaultSize = 1, count = 2 }
    enum Content { static let propertiesType = 0, properties = 1, count = 3 }
    enum NormalizationOptions { static let mean = 0, std = 1, count = 2 }
    enum ProcessUnit { static let optionsType = 0, options = 1, count = 2 }
    enum Stats { static let max = 0, min = 1, count = 2 }
    enum TensorMetadata { static let name = 0, description = 1, content = 3, processUnits = 4, stats = 5, associatedFiles = 6, count = 7 }
    enum SubGraphMetadata { static let name = 0, description = 1, inputs = 2, outputs = 3, count = 10 }
    enum ModelMetadata {
        static let name = 0, description = 1, version = 2, subgraphs = 3, author = 4, license = 5, minParserVersion = 7, count = 8
    }
    /// `ContentProperties` union members.
    static let featureProperties: UInt8 = 1, imageProperties: UInt8 = 2
    /// `ProcessUnitOptions` union members.
    static let normalizationOptions: UInt8 = 1
    /// `ColorSpaceType`.
    static let rgb: Int8 = 1, grayscale: Int8 = 2
}

extension TFLiteSupportMetadata {
    /// The metadata flatbuffer (identifier "M001"); the same metadata gives the same bytes.
    public func flatbuffer() -> [UInt8] {
        var b = FlatBufferBuilder()
        typealias S = MetadataSlots
        func string(_ text: String) -> FlatBufferBuilder.Offset? { text.isEmpty ? nil : b.createString(text) }
        func file(_ f: AssociatedFile) -> FlatBufferBuilder.Offset {
            let name = b.createString(f.name), description = string(f.description)
            b.startTable(fieldCount: S.AssociatedFile.count)
            b.add(S.AssociatedFile.name, offset: name)
            b.add(S.AssociatedFile.description, offset: description)
            b.add(S.AssociatedFile.type, f.type.rawValue, default: 0)
            return b.endTable()
        }
        func tensor(_ t: Tensor) -> FlatBufferBuilder.Offset {
            let name = b.createString(t.name), description = string(t.description)
            let properties: FlatBufferBuilder.Offset, propertiesType: UInt8
            switch t.content {
            case .feature:
                b.startTable(fieldCount: 0)
                properties = b.endTable()
                propertiesType = S.featureProperties
            case .image(let grayscale, let width, let height):
                b.startTable(fieldCount: S.ImageSize.count)
                b.add(S.ImageSize.width, UInt32(width), default: 0)
                b.add(S.ImageSize.height, UInt32(height), default: 0)
                let size = b.endTable()
                b.startTable(fieldCount: S.ImageProperties.count)
                b.add(S.ImageProperties.colorSpace, grayscale ? S.grayscale : S.rgb, default: 0)
                b.add(S.ImageProperties.defaultSize, offset: size)
                properties = b.endTable()
                propertiesType = S.imageProperties
            }
            b.startTable(fieldCount: S.Content.count)
            b.add(S.Content.propertiesType, propertiesType, default: 0)
            b.add(S.Content.properties, offset: properties)
            let content = b.endTable()
            var units: FlatBufferBuilder.Offset?
            if let normalization = t.normalization {
                let mean = b.createVector(normalization.mean), std = b.createVector(normalization.std)
                b.startTable(fieldCount: S.NormalizationOptions.count)
                b.add(S.NormalizationOptions.mean, offset: mean)
                b.add(S.NormalizationOptions.std, offset: std)
                let options = b.endTable()
                b.startTable(fieldCount: S.ProcessUnit.count)
                b.add(S.ProcessUnit.optionsType, S.normalizationOptions, default: 0)
                b.add(S.ProcessUnit.options, offset: options)
                units = b.createVector(offsets: [b.endTable()])
            }
            var stats: FlatBufferBuilder.Offset?
            if !t.min.isEmpty || !t.max.isEmpty {
                let max = t.max.isEmpty ? nil : b.createVector(t.max), min = t.min.isEmpty ? nil : b.createVector(t.min)
                b.startTable(fieldCount: S.Stats.count)
                b.add(S.Stats.max, offset: max)
                b.add(S.Stats.min, offset: min)
                stats = b.endTable()
            }
            let files = t.associatedFiles.isEmpty ? nil : b.createVector(offsets: t.associatedFiles.map(file))
            b.startTable(fieldCount: S.TensorMetadata.count)
            b.add(S.TensorMetadata.name, offset: name)
            b.add(S.TensorMetadata.description, offset: description)
            b.add(S.TensorMetadata.content, offset: content)
            b.add(S.TensorMetadata.processUnits, offset: units)
            b.add(S.TensorMetadata.stats, offset: stats)
            b.add(S.TensorMetadata.associatedFiles, offset: files)
            return b.endTable()
        }
        let inputs = b.createVector(offsets: self.inputs.map(tensor)), outputs = b.createVector(offsets: self.outputs.map(tensor))
        let subgraphName = string(self.subgraphName)
        b.startTable(fieldCount: S.SubGraphMetadata.count)
        b.add(S.SubGraphMetadata.name, offset: subgraphName)
        b.add(S.SubGraphMetadata.inputs, offset: inputs)
        b.add(S.SubGraphMetadata.outputs, offset: outputs)
        let subgraphs = b.createVector(offsets: [b.endTable()])
        let name = string(self.name), description = string(self.description), version = string(self.version)
        let author = string(self.author), license = string(self.license), parser = b.createString(minParserVersion)
        b.startTable(fieldCount: S.ModelMetadata.count)
        b.add(S.ModelMetadata.name, offset: name)
        b.add(S.ModelMetadata.description, offset: description)
        b.add(S.ModelMetadata.version, offset: version)
        b.add(S.ModelMetadata.subgraphs, offset: subgraphs)
        b.add(S.ModelMetadata.author, offset: author)
        b.add(S.ModelMetadata.license, offset: license)
        b.add(S.ModelMetadata.minParserVersion, offset: parser)
        return b.finish(root: b.endTable(), fileIdentifier: Self.fileIdentifier)
    }
}
