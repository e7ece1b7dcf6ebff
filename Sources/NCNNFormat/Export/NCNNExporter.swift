import FerryIR

/// Writes an IR model as an NCNN `.param` (format 2) and `.bin`.
///
/// NCNN blobs are per sample, so the NCHW graph loses its batch axis (see `NCNNLayout`); the
/// graph inputs must have batch 1. Reshaping ops cost nothing (blobs are viewed in the shape
/// each consumer needs), constants read at run time become MemoryData, and a blob read by
/// several layers goes through a Split, as NCNN's own converters write.
public enum NCNNExporter {
    public static func export(_ model: Model, options: NCNNExportOptions = NCNNExportOptions()) throws -> NCNNExport {
        let prepared = try NCNNPreparation.prepare(model, mode: options.weights)
        let e = NCNNEmitter(prepared: prepared, mode: options.weights, opset: model.opset)
        let graph = prepared.graph
        var inputs: [NCNNBlobBinding] = []
        for input in graph.runtimeInputs {
            let layout = try e.layout(input.name)
            guard layout.onnxShape.first == 1 || layout.onnxShape.count <= 1 || layout.kept.first == 0 else {
                throw NCNNExportError.unsupportedOp(node: "input '\(input.name)'", op: "Input", reason: "shape \(layout.onnxShape)")
            }
            let blob = e.newBlob(input.name)
            try e.emit("Input", name: input.name, inputs: [], outputs: [blob], params: NCNNLayout.shapeParams(layout.shape))
            e.define(input.name, blob: blob, shape: layout.shape)
            inputs.append(NCNNBlobBinding(value: input.name, blob: blob, shape: layout.shape, onnxShape: layout.onnxShape, dataType: prepared.types[input.name] ?? .float32))
        }
        var gelus: [Int: (x: String, output: String, name: String)] = [:]
        for (index, node) in graph.nodes.enumerated() where node.opType == "Erf" && node.domain.isEmpty {
            guard let match = e.matchErfGelu(erfIndex: index) else { continue }
            gelus[match.nodes.min()!] = (match.x, match.output, node.name.isEmpty ? match.output : node.name)
            e.absorbed.formUnion(match.nodes)
        }
        for (index, node) in graph.nodes.enumerated() {
            if let gelu = gelus[index] {
                try e.emitGelu(x: gelu.x, output: gelu.output, name: gelu.name)
                continue
            }
            if e.absorbed.contains(index) { continue }
            guard node.domain.isEmpty || node.domain == "ai.onnx", let lowering = NCNNLowerings.table[node.opType] else {
                throw NCNNExportError.unsupportedOp(node: node.label, op: node.opType,
                                                    reason: NCNNLowerings.refusals[node.opType] ?? "no NCNN layer is mapped for this op")
            }
            try lowering(e, node)
        }
        var outputs: [NCNNBlobBinding] = []
        for output in graph.outputs {
            guard e.views[output.name] != nil else {
                throw NCNNExportError.preparation("output '\(output.name)' is a constant; NCNN outputs must be computed")
            }
            let layout = try e.layout(output.name)
            let blob = try e.blob(output.name)
            outputs.append(NCNNBlobBinding(value: output.name, blob: blob, shape: layout.shape, onnxShape: layout.onnxShape, dataType: prepared.types[output.name] ?? .float32))
        }
        let full = NCNNParamFile(layers: insertSplits(e.layers).map(NCNNParamDefaults.omittingDefaults))
        let fixed = ioNames(inputs: inputs, outputs: &outputs)
        let (file, names) = full.shortNames(fixing: fixed)
        return NCNNExport(param: file, paramBytes: Array(file.text().utf8), binBytes: e.weights.bytes, inputs: inputs, outputs: outputs,
                          int8Layers: e.int8Layers, floatLayers: e.floatLayers, names: names)
    }

    /// The blobs that keep a name in the written file (old name → written name): each graph
    /// input's, and each output's under the output's own name, even where the output shares a
    /// blob with the value it reshapes (unless that blob is an input's or another output's).
    static func ioNames(inputs: [NCNNBlobBinding], outputs: inout [NCNNBlobBinding]) -> [String: String] {
        var fixed: [String: String] = [:]
        for input in inputs { fixed[input.blob] = input.blob }
        for index in outputs.indices {
            let blob = outputs[index].blob
            if let name = fixed[blob] {
                outputs[index].blob = name
                continue
            }
            let wanted = NCNNNames.clean(outputs[index].value)
            let name = fixed.values.contains(wanted) ? blob : wanted
            fixed[blob] = name
            outputs[index].blob = name
        }
        return fixed
    }

    /// Gives each extra reader of a blob its own copy through a Split layer (NCNN releases a
    /// blob after its first reader in light mode, and in-place layers would overwrite it).
    static func insertSplits(_ layers: [NCNNLayer]) -> [NCNNLayer] {
        var readers: [String: Int] = [:]
        for layer in layers { for input in layer.inputs { readers[input, default: 0] += 1 } }
        var result: [NCNNLayer] = []
        var copies: [String: [String]] = [:]
        for var layer in layers {
            for (i, input) in layer.inputs.enumerated() where copies[input] != nil {
                layer.inputs[i] = copies[input]!.removeFirst()
            }
            result.append(layer)
            for output in layer.outputs {
                let count = readers[output] ?? 0
                guard count > 1 else { continue }
                let names = (0..<count).map { "\(output)_splitncnn_\($0)" }
                result.append(NCNNLayer(type: "Split", name: "splitncnn_\(output)", inputs: [output], outputs: names))
                copies[output] = names
            }
        }
        return result
    }
}
