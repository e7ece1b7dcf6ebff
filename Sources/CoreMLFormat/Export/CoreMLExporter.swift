import FerryIR

/// Writes an IR model as a Core ML ML Program (MIL, NCHW as the source).
///
/// Inputs and outputs get MIL-valid names (the source names are kept in the metadata, see
/// `SourceNames`); float inputs are cast to float16 first and outputs back to float32 last in
/// float16 precision, as coremltools does; int64 values are int32 (Core ML has no int64 arrays).
public enum CoreMLExporter {
    /// The spec version and opset for the newest op the program uses.
    static func deployment(iOS: Int) -> (specificationVersion: Int32, opset: String) {
        iOS >= 16 ? (7, "CoreML6") : (6, "CoreML5")
    }

    public static func export(_ model: Model, options: CoreMLExportOptions = CoreMLExportOptions()) throws -> CoreMLModelSpec {
        try exportNamed(model, options: options).spec
    }

    /// The ML Program and, for each internal value's short MIL name, the source value name it
    /// stands for (`CoreMLImporter.importModel(_:sourceNames:)` gives them back, so per-layer
    /// drift pairs the read-back values with the source's). The graph's own inputs and outputs
    /// are left out: the reader names those from the metadata.
    public static func exportNamed(_ model: Model, options: CoreMLExportOptions = CoreMLExportOptions()) throws
        -> (spec: CoreMLModelSpec, sourceNames: [String: String]) {
        let prepared = try ExportPreparation.prepare(model)
        let e = MILEmitter(prepared: prepared, floatType: options.precision == .float16 ? .float16 : .float32,
                           compression: options.compression)
        var description = ModelDescription()
        var functionInputs: [MILNamedType] = []
        let imageName = try imageInputName(options.imageInput, prepared.graph)
        for input in prepared.graph.runtimeInputs {
            guard let type = prepared.types[input.name], let shape = type.shape else {
                throw CoreMLExportError.preparation("graph input '\(input.name)' has no type or rank")
            }
            let feature = try featureType(type.dataType, value: input.name)
            let name = e.identifiers.interface(input.name)
            let dims = shape.map(\.value)
            // A scalar input is declared as shape [1], as coremltools declares it (its milproto
            // loader takes no rank-0 function input), and squeezed to the source's scalar.
            let declared: [Int?] = dims.isEmpty ? [1] : dims
            functionInputs.append(MILNamedType(name, MILTensorType(feature.milType, declared)))
            let ranges = dims.contains(nil) ? dims.map { ClosedRangeBound(lower: $0 ?? 1, upper: $0) } : nil
            var featureDescription = FeatureDescription(name: name, shortDescription: input.name, dataType: feature,
                                                        shape: declared.map { $0 ?? 1 }, ranges: ranges)
            e.types[name] = MILTensorType(feature.milType, declared)
            var entry = name
            if dims.isEmpty {
                entry = e.op("squeeze", [("x", name), ("axes", e.int32s([0], name: name + "_axes"))], output: name + "_scalar",
                             MILTensorType(feature.milType, []))
                description.metadata.userDefined.append((SourceNames.rankKey(name), "0"))
            }
            if input.name == imageName, let image = try options.imageInput?.resolve(input: input.name, dims: dims, type: type.dataType, flexibleSize: true) {
                featureDescription.kind = .image(image.colorSpace)
                entry = e.normalizeImage(name, image, dims: dims)
            }
            description.inputs.append(featureDescription)
            if type.dataType != feature.milType.irType {
                description.metadata.userDefined.append((SourceNames.typeKey(name), "\(type.dataType)"))
            }
            if feature.milType == .float32 && e.floatType == .float16 {
                e.values[input.name] = e.op("cast", [("x", entry), ("dtype", e.string("fp16", name: name + "_dtype"))],
                                            output: name + "_to_fp16", MILTensorType(.float16, dims))
            } else {
                e.values[input.name] = entry
            }
        }
        // Output names first, so no intermediate value takes them.
        let outputNames = prepared.graph.outputs.map { e.identifiers.interface($0.name) }
        for node in prepared.graph.nodes {
            guard node.domain.isEmpty || node.domain == "ai.onnx", let lowering = MILLowerings.table[node.opType] else {
                throw CoreMLExportError.unsupportedOp(node: node.label, op: node.opType, reason: "no MIL op is mapped for this op")
            }
            try lowering(e, node)
        }
        var outputs: [String] = []
        for (output, name) in zip(prepared.graph.outputs, outputNames) {
            let value = try e.value(output.name, Node(name: output.name, opType: "output", inputs: [], outputs: []))
            guard let sourceType = prepared.types[output.name], let type = e.types[value] else {
                throw CoreMLExportError.preparation("graph output '\(output.name)' has no type")
            }
            let feature = try featureType(sourceType.dataType, value: output.name)
            if type.dataType != feature.milType {
                e.op("cast", [("x", value), ("dtype", e.string(feature.milType.description, name: name + "_dtype"))],
                     output: name, MILTensorType(feature.milType, type.shape), reserved: true)
            } else {
                e.op("identity", [("x", value)], output: name, type, reserved: true)
            }
            outputs.append(name)
            description.outputs.append(FeatureDescription(name: name, shortDescription: output.name, dataType: feature,
                                                          shape: type.shape.map { $0 ?? 1 },
                                                          ranges: type.shape.contains(nil) ? type.shape.map { ClosedRangeBound(lower: $0 ?? 1, upper: $0) } : nil))
            if sourceType.dataType != feature.milType.irType {
                description.metadata.userDefined.append((SourceNames.typeKey(name), "\(sourceType.dataType)"))
            }
        }
        if let labels = options.classLabels {
            try Classifier.attach(labels: labels, emitter: e, outputs: &outputs, description: &description)
        }
        for feature in description.inputs + description.outputs where feature.name != feature.shortDescription && !feature.shortDescription.isEmpty {
            description.metadata.userDefined.append((SourceNames.nameKey(feature.name), feature.shortDescription))
        }
        description.metadata.userDefined.sort { $0.key < $1.key }
        description.metadata.author = options.author
        description.metadata.license = options.license
        description.metadata.shortDescription = options.shortDescription
        description.metadata.versionString = options.version
        let (version, opset) = deployment(iOS: e.minimumIOS)
        let function = MILFunction(inputs: functionInputs, opset: opset, operations: e.operations, outputs: outputs)
        let spec = CoreMLModelSpec(specificationVersion: version, description: description, body: .mlProgram(MILProgram(functions: [("main", function)])))
        let interface = Set(prepared.graph.runtimeInputs.map(\.name) + prepared.graph.outputs.map(\.name))
        return (spec, e.identifiers.sources.filter { !interface.contains($0.value) })
    }

    /// The graph input `image` declares (nil name: the first), checked to exist.
    static func imageInputName(_ image: ImageInput?, _ graph: Graph) throws -> String? {
        guard let image else { return nil }
        let name = image.name ?? graph.runtimeInputs.first?.name ?? ""
        guard graph.runtimeInputs.contains(where: { $0.name == name }) else {
            throw CoreMLExportError.preparation("image input '\(name)' is not a graph input (inputs: \(graph.runtimeInputs.map(\.name).joined(separator: ", ")))")
        }
        return name
    }

    /// Writes `spec` as a package (model spec and weight file).
    public static func package(_ spec: CoreMLModelSpec) -> MLPackage {
        let (model, weights) = SpecEncoder().encode(spec)
        return MLPackage(spec: model, weights: weights)
    }

    /// The multi-array type of a model input or output of IR type `type`.
    static func featureType(_ type: DataType, value: String) throws -> ArrayDataType {
        switch type {
        case .float32, .float16, .float64, .bfloat16: return .float32
        case .int64, .int32, .int16, .int8, .uint8, .uint16, .uint32, .bool: return .int32
        default: throw CoreMLExportError.unsupportedType(value: value, type: type)
        }
    }
}

/// Where the source's input/output names and types live in the model metadata: Core ML feature
/// names must be MIL identifiers, so `ferry` keeps the originals beside them.
public enum SourceNames {
    public static func nameKey(_ feature: String) -> String { "ferry.source_name." + feature }
    public static func typeKey(_ feature: String) -> String { "ferry.source_type." + feature }
    /// "0" for a scalar source input, which both formats declare as shape [1].
    public static func rankKey(_ feature: String) -> String { "ferry.source_rank." + feature }
}
