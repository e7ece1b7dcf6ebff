import FerryIR

/// Writes a float32 IR model as a TFLite flatbuffer.
///
/// The NCHW graph becomes NHWC: every value is stored in some layout (a permutation of its
/// source axes), windowed ops ask for channels-last, elementwise ops and reductions work in
/// whatever layout their inputs already have, ONNX Transposes become layout changes that cost
/// nothing, and a TRANSPOSE is written only where a consumer needs a layout its input is not in.
/// The graph's inputs and outputs keep the source layout unless `options` says otherwise.
public enum TFLiteExporter {
    public static func export(_ model: Model, options: TFLiteExportOptions = TFLiteExportOptions()) throws -> [UInt8] {
        try TFLiteWriter.write(try exportModel(model, options: options))
    }

    /// The file's bytes and the layout of every value stored in another axis order than the
    /// source's (tensor name → perm, the tensor holding `transpose(value, perm)`), so that a
    /// verifier can compare its intermediate values with the source's.
    public static func exportWithLayouts(_ model: Model, options: TFLiteExportOptions = TFLiteExportOptions()) throws
        -> (bytes: [UInt8], layouts: [String: [Int]]) {
        let (tflite, layouts) = try exportModelAndLayouts(model, options: options)
        return (try TFLiteWriter.write(tflite), layouts)
    }

    /// The TFLite model as values (before serialization).
    public static func exportModel(_ model: Model, options: TFLiteExportOptions = TFLiteExportOptions()) throws -> TFLiteModel {
        try exportModelAndLayouts(model, options: options).0
    }

    static func exportModelAndLayouts(_ model: Model, options: TFLiteExportOptions) throws -> (TFLiteModel, [String: [Int]]) {
        var prepared = try ModelPreparation.prepare(model)
        var quantization: [String: ValueQuantization] = [:]
        if prepared.graph.nodes.contains(where: { $0.opType == "QuantizeLinear" || $0.opType == "DequantizeLinear" }) {
            (prepared, quantization) = QDQFolding.fold(prepared)
        }
        let graph = prepared.graph
        let e = TFLiteEmitter(graph: graph, opset: model.opset, constants: prepared.constants,
                              shapes: prepared.shapes, types: prepared.types)
        e.quantization = quantization
        e.quantizedConstants = prepared.quantizedConstants
        e.float16Constants = options.float16Weights
        e.subgraph.name = graph.name.isEmpty ? "main" : graph.name
        var inputs: [(String, Int32)] = []
        for input in graph.runtimeInputs {
            guard let shape = prepared.shapes[input.name] else { throw TFLiteExportError.dynamicShape(value: input.name) }
            let perm = options.inputLayout == .channelsLast && shape.count == 4 ? Permutation.channelsLast(4) : Permutation.identity(shape.count)
            let tensor = try e.define(input.name, perm: perm)
            e.subgraph.inputs.append(tensor)
            inputs.append((input.name, tensor))
        }
        var gelus: [Int: (x: String, output: String)] = [:]
        let producers = graph.producers()
        for (index, node) in graph.nodes.enumerated() where node.opType == "Erf" && node.domain.isEmpty {
            guard let match = e.matchErfGelu(erfIndex: index, producers: producers) else { continue }
            gelus[match.nodes.min()!] = (match.x, match.output)
            e.absorbed.formUnion(match.nodes)
        }
        for (index, node) in graph.nodes.enumerated() {
            if let gelu = gelus[index] {
                try e.emitGelu(x: gelu.x, output: gelu.output)
                continue
            }
            if e.absorbed.contains(index) { continue }
            guard node.domain.isEmpty || node.domain == "ai.onnx", let lowering = TFLiteLowerings.table[node.opType] else {
                throw TFLiteExportError.unsupportedOp(node: node.label, op: node.opType,
                                                      reason: node.opType == "Erf" ? "Erf outside a GELU pattern has no TFLite builtin"
                                                          : "no TFLite builtin is mapped for this op")
            }
            try lowering(e, index, node)
        }
        var outputs: [(String, Int32)] = []
        for output in graph.outputs {
            guard let stored = e.stored(output.name) else {
                throw TFLiteExportError.preparation("output '\(output.name)' is a constant; TFLite graph outputs must be computed")
            }
            let identity = Permutation.identity(stored.perm.count)
            let tensor: Int32
            if stored.perm == identity {
                tensor = stored.tensor
            } else {
                e.rename(tensor: stored.tensor, to: "\(output.name)/stored")
                tensor = try e.tensor(output.name, perm: identity)
            }
            e.rename(tensor: tensor, to: output.name)
            e.subgraph.outputs.append(tensor)
            outputs.append((output.name, tensor))
        }
        var layouts: [String: [Int]] = [:]
        for (_, stored) in e.storedValues where stored.perm != Permutation.identity(stored.perm.count) {
            layouts[e.subgraph.tensors[Int(stored.tensor)].name] = stored.perm
        }
        return (e.finish(inputs: inputs, outputs: outputs, options: options), layouts)
    }
}

extension TFLiteEmitter {
    /// The finished model: the subgraph, the signature and the metadata entries.
    func finish(inputs: [(String, Int32)], outputs: [(String, Int32)], options: TFLiteExportOptions) -> TFLiteModel {
        var result = model
        result.description = options.description
        result.subgraphs = [subgraph]
        result.signatureDefs = [TFLiteSignatureDef(
            inputs: inputs.map { .init(name: $0.0, tensorIndex: UInt32($0.1)) },
            outputs: outputs.map { .init(name: $0.0, tensorIndex: UInt32($0.1)) },
            signatureKey: options.signatureKey)]
        var version = Array(TFLiteMetadataInfo.minimumRuntime(for: result.operatorCodes).utf8)
        version += Array(repeating: 0, count: 16 - version.count % 16)
        result.buffers.append(TFLiteBuffer(data: version))
        result.metadata.append(TFLiteMetadata(name: "min_runtime_version", buffer: UInt32(result.buffers.count - 1)))
        result.buffers.append(TFLiteBuffer(data: Array(TFLiteMetadataInfo.ioNames(inputs: inputs.map(\.0), outputs: outputs.map(\.0)).utf8)))
        result.metadata.append(TFLiteMetadata(name: TFLiteMetadataInfo.ioNamesKey, buffer: UInt32(result.buffers.count - 1)))
        return result
    }
}
