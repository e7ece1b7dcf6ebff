import FerryIR

/// Reads a Core ML ML Program back into an IR model (NCHW, ONNX op semantics, opset 20) so the
/// reference core runs exactly the program and the constants the package carries.
///
/// Float16 in MIL is float32 in the IR with a rounding to float16 after every op that makes a
/// float16 value (Cast to float16 and back), so activations carry the precision the device
/// stores them in; the arithmetic inside each op is float32 (the device's fp16 kernels round
/// more, which only a Mac can measure). Source names and int64 types recorded in the metadata
/// are restored at the interface, so the read model takes the source's inputs.
public enum CoreMLImporter {
    public static let opset = 20

    /// `sourceNames` (MIL value → IR name, from `CoreMLExporter.exportNamed`) names the IR values
    /// after the source's where the program was written with short names.
    ///
    /// An image input takes pixel values (0…255), which the program normalizes itself. Given the
    /// `imageInput` the source expects, the read model takes the source's normalized tensor
    /// instead and turns it back into pixels with the declared mean and std
    /// (`x · std[c] + mean[c]`) before the program's own scale and bias ops, so the read model
    /// and the source take the same inputs and a wrong scale or bias shows as drift.
    public static func importModel(_ spec: CoreMLModelSpec, sourceNames: [String: String] = [:], imageInput: ImageInput? = nil) throws -> Model {
        guard case .mlProgram(let program) = spec.body else { throw CoreMLReadError.spec(file: "model", "not an ML Program") }
        guard let main = program.main else { throw CoreMLReadError.spec(file: "model", "the program has no function 'main'") }
        var metadata: [String: String] = [:]
        for (key, value) in spec.description.metadata.userDefined { metadata[key] = value }
        let b = IRBuilder()
        b.sources = sourceNames
        for input in main.inputs {
            let source = metadata[SourceNames.nameKey(input.name)] ?? input.name
            let sourceType = metadata[SourceNames.typeKey(input.name)].flatMap { DataType(name: $0) } ?? input.type.dataType.irType
            // A scalar source input is declared [1]: the read model takes the scalar.
            let scalar = metadata[SourceNames.rankKey(input.name)] == "0" && input.type.shape == [1]
            let dims: [Dim] = scalar ? [] : input.type.shape.map { $0.map { .fixed($0) } ?? .unknown }
            b.inputs.append(ValueInfo(name: source, type: ValueType(dataType: sourceType == .float16 ? .float32 : sourceType, shape: dims)))
            let feature = spec.description.inputs.first { $0.name == input.name }
            let declared = imageInput.map { $0.name.map { $0 == source } ?? (input.name == main.inputs.first?.name) } ?? false
            if declared, let imageInput, case .image? = feature?.kind {
                b.names[input.name] = try b.pixels(from: source, imageInput, dims: input.type.shape)
            } else if sourceType != input.type.dataType.irType && input.type.dataType != .float16 {
                b.names[input.name] = input.name + "/coreml"
                b.node("Cast", [source], [input.name + "/coreml"], ["to": .int(Int(input.type.dataType.irType.rawValue))])
            } else {
                b.names[input.name] = source
            }
            if scalar {
                b.node("Reshape", [b.name(input.name), b.int64s([1], input.name + "/shape")], [input.name + "/rank1"])
                b.names[input.name] = input.name + "/rank1"
            }
            b.types[input.name] = input.type
        }
        // Block outputs get IR names of their own; the source names are given at the end.
        for output in main.outputs where b.names[output] == nil { b.names[output] = output + "/coreml" }
        // So does any value named like a source output (a classifier's probabilities, whose
        // output is now classify's dictionary).
        let sourceOutputs = Set(main.outputs.map { metadata[SourceNames.nameKey($0)] ?? $0 })
        for operation in main.operations {
            for output in operation.outputs where sourceOutputs.contains(output.name) && b.names[output.name] == nil {
                b.names[output.name] = output.name + "/coreml"
            }
        }
        for operation in main.operations {
            try b.read(operation)
        }
        for output in main.outputs where !b.omitted.contains(output) {
            let source = metadata[SourceNames.nameKey(output)] ?? output
            guard let type = b.types[output] else { throw CoreMLReadError.spec(file: "model", "block output '\(output)' is not defined") }
            let wanted = metadata[SourceNames.typeKey(output)].flatMap { DataType(name: $0) } ?? (type.dataType == .float16 ? .float32 : type.dataType.irType)
            b.node(wanted == type.dataType.irType || type.dataType == .float16 ? "Identity" : "Cast", [b.name(output)], [source],
                   wanted == type.dataType.irType || type.dataType == .float16 ? [:] : ["to": .int(Int(wanted.rawValue))])
            b.outputs.append(ValueInfo(name: source, type: ValueType(dataType: wanted, shape: type.shape.map { $0.map { .fixed($0) } ?? .unknown })))
        }
        let graph = Graph(name: "main", nodes: b.nodes, inputs: b.inputs, outputs: b.outputs, initializers: b.initializers,
                          initializerOrder: b.initializerOrder)
        var model = Model(graph: graph, opsets: ["": opset], producerName: "ferry (Core ML read back)")
        try model.graph.sortAndVerify()
        model.metadata = metadata
        return model
    }
}
