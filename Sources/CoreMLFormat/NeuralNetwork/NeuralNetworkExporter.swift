import FerryIR

/// Writes an IR model as a Core ML NeuralNetwork (`.mlmodel`, spec 4 = iOS 13): rank-N blobs in
/// the source's layout, every weight inline (float32, float16, 8-bit linear or a palette).
///
/// Names follow the ML Program writer: feature names are identifiers, the source names and
/// int64 types are kept in the metadata (`SourceNames`), dynamic dims get a `ShapeRange`;
/// internal blobs and layers get short ids (`v0`, `v1`, …; `exportNamed` maps them back).
public enum NeuralNetworkExporter {
    /// File name of the written model inside the output folder.
    public static let fileName = "model.mlmodel"

    public static func export(_ model: Model, options: CoreMLExportOptions = CoreMLExportOptions()) throws -> NeuralNetworkSpec {
        try exportNamed(model, options: options).spec
    }

    /// The spec and, for each internal blob's short name (`v0`, `v1`, …, as the ML Program
    /// writer names its values), the source value it holds
    /// (`NeuralNetworkImporter.importModel(_:file:sourceNames:)` gives them back, so per-layer
    /// drift pairs blobs with the source's values). Inputs and outputs keep their names.
    public static func exportNamed(_ model: Model, options: CoreMLExportOptions = CoreMLExportOptions()) throws
        -> (spec: NeuralNetworkSpec, sourceNames: [String: String]) {
        let prepared = try ExportPreparation.prepare(model)
        let e = NNEmitter(prepared: prepared, options: options)
        var spec = NeuralNetworkSpec()
        var description = ModelDescription()
        let imageName = try CoreMLExporter.imageInputName(options.imageInput, prepared.graph)
        for input in prepared.graph.runtimeInputs {
            guard let type = prepared.types[input.name], let shape = type.shape else {
                throw CoreMLExportError.preparation("graph input '\(input.name)' has no type or rank")
            }
            let feature = try CoreMLExporter.featureType(type.dataType, value: input.name)
            let name = e.identifiers.interface(input.name)
            let dims = shape.map(\.value)
            // A scalar input is a [1] blob (as coremltools declares scalars); the layers broadcast it.
            var featureDescription = FeatureDescription(name: name, shortDescription: input.name, dataType: feature, shape: dims.isEmpty ? [1] : dims.map { $0 ?? 1 },
                                                        ranges: dims.contains(nil) ? dims.map { ClosedRangeBound(lower: $0 ?? 1, upper: $0) } : nil)
            if input.name == imageName, let image = options.imageInput {
                let (kind, scaler) = try imageFeature(image, input: input.name, dims: dims, type: type.dataType)
                featureDescription.kind = kind
                featureDescription.ranges = nil
                spec.preprocessing.append((name, scaler))
            }
            description.inputs.append(featureDescription)
            if type.dataType != feature.milType.irType {
                description.metadata.userDefined.append((SourceNames.typeKey(name), "\(type.dataType)"))
            }
            if dims.isEmpty { description.metadata.userDefined.append((SourceNames.rankKey(name), "0")) }
            e.blobs[input.name] = name
        }
        // Output names first, so no intermediate blob takes them.
        let outputNames = prepared.graph.outputs.map { e.identifiers.interface($0.name) }
        for node in prepared.graph.nodes {
            guard node.domain.isEmpty || node.domain == "ai.onnx", let lowering = NNLowerings.table[node.opType] else {
                throw CoreMLExportError.unsupportedOp(node: node.label, op: node.opType, reason: "no NeuralNetwork layer is mapped for this op")
            }
            try lowering(e, node)
        }
        for (output, name) in zip(prepared.graph.outputs, outputNames) {
            let blob = try e.blob(output.name, Node(name: output.name, opType: "output", inputs: [], outputs: []))
            guard let sourceType = prepared.types[output.name], let shape = sourceType.shape else {
                throw CoreMLExportError.preparation("graph output '\(output.name)' has no type")
            }
            // The output feature is the blob of its name: rename the producing layer's output, or copy.
            if let index = e.layers.lastIndex(where: { $0.outputs.contains(blob) }), !e.layers.contains(where: { $0.inputs.contains(blob) }),
               !zip(prepared.graph.outputs, outputNames).contains(where: { $0.1 != name && e.blobs[$0.0.name] == blob }) {
                e.layers[index].outputs = e.layers[index].outputs.map { $0 == blob ? name : $0 }
                if e.layers[index].name == blob { e.layers[index].name = name }
            } else {
                e.layers.append(NNLayer(name: name, inputs: [blob], outputs: [name], kind: .activation(.linear(alpha: 1, beta: 0))))
            }
            let feature = try CoreMLExporter.featureType(sourceType.dataType, value: output.name)
            let dims = shape.map(\.value)
            description.outputs.append(FeatureDescription(name: name, shortDescription: output.name, dataType: feature, shape: dims.map { $0 ?? 1 },
                                                          ranges: dims.contains(nil) ? dims.map { ClosedRangeBound(lower: $0 ?? 1, upper: $0) } : nil))
            if sourceType.dataType != feature.milType.irType {
                description.metadata.userDefined.append((SourceNames.typeKey(name), "\(sourceType.dataType)"))
            }
        }
        if let labels = options.classLabels {
            try attachClassifier(labels: labels, spec: &spec, description: &description, identifiers: &e.identifiers)
        }
        for feature in description.inputs + description.outputs where feature.name != feature.shortDescription && !feature.shortDescription.isEmpty {
            description.metadata.userDefined.append((SourceNames.nameKey(feature.name), feature.shortDescription))
        }
        description.metadata.userDefined.sort { $0.key < $1.key }
        description.metadata.author = options.author
        description.metadata.license = options.license
        description.metadata.shortDescription = options.shortDescription
        description.metadata.versionString = options.version
        spec.description = description
        spec.layers = e.layers
        spec.specificationVersion = e.layers.map(\.kind.specificationVersion).max() ?? 4
        let interface = Set(prepared.graph.runtimeInputs.map(\.name) + prepared.graph.outputs.map(\.name))
        return (spec, e.identifiers.sources.filter { !interface.contains($0.value) })
    }

    /// The image feature and scaler of `image` on an input of `dims` ([1, C, H, W], C 1 or 3).
    static func imageFeature(_ image: ImageInput, input: String, dims: [Int?], type: DataType) throws -> (FeatureDescription.Kind, NNImageScaler) {
        let resolved = try image.resolve(input: input, dims: dims, type: type, flexibleSize: false)
        let std = resolved.std
        guard Set(std).count == 1 else {
            throw CoreMLExportError.preparation("image input '\(input)': NeuralNetwork's image scaler has one scale for all channels, so the stds must be one positive value (got \(std))")
        }
        // mean is in the model's channel order; the scaler names its biases red, green, blue, so
        // a BGR model's channels (blue first) are reversed into them.
        let biases = resolved.bias
        return (.image(resolved.colorSpace), NNImageScaler(channelScale: resolved.scale[0], biases: resolved.colorSpace == .bgr ? biases.reversed() : biases))
    }

    /// A NeuralNetworkClassifier: the first output's blob holds the probabilities; its feature
    /// becomes the label → probability dictionary and a `classLabel` string output is added.
    static func attachClassifier(labels: [String], spec: inout NeuralNetworkSpec, description: inout ModelDescription, identifiers: inout IdentifierTable) throws {
        guard var feature = description.outputs.first else { throw CoreMLExportError.preparation("--labels: the model has no output to classify") }
        let count = feature.ranges == nil ? feature.shape.reduce(1, *) : -1
        guard count == labels.count else {
            throw CoreMLExportError.preparation("--labels: \(labels.count) labels, but output '\(feature.shortDescription)' holds \(count < 0 ? "a dynamic number of" : "\(count)") values")
        }
        guard feature.dataType == .float32, description.metadata.userDefined.allSatisfy({ $0.key != SourceNames.typeKey(feature.name) }) else {
            throw CoreMLExportError.preparation("--labels: output '\(feature.shortDescription)' is not a float output of probabilities")
        }
        spec.classLabels = labels
        spec.probabilityBlob = feature.name
        let label = identifiers.interface(Classifier.labelName)
        var labelFeature = FeatureDescription(name: label, dataType: .float32, shape: [])
        labelFeature.kind = .string
        feature.kind = .stringKeyedDictionary
        feature.shape = []
        feature.ranges = nil
        description.outputs = [labelFeature, feature] + description.outputs.dropFirst()
        description.predictedFeatureName = label
        description.predictedProbabilitiesName = feature.name
    }
}
