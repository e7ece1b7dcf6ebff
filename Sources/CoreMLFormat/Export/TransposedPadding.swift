import FerryIR
import FerryRuntime

/// The padding both Core ML writers give a ConvTranspose: the begin and end pads the reference
/// core cuts from the full scatter (odd totals placed as onnxruntime places them), with
/// output_padding taken from the end pads, since neither MIL's conv_transpose nor a
/// NeuralNetwork deconvolution has an output padding of its own (coremltools does the same).
struct TransposedPadding {
    let geometry: WindowGeometry
    /// [b0, b1, …, e0, e1, …] for the spatial axes, output_padding already taken from the end.
    let pads: [Int]

    /// `input`, `kernel` and `output` are the spatial dims; `target` names the format in messages.
    init(_ node: Node, input: [Int], kernel: [Int], output: [Int], target: String) throws {
        let a = NodeAttributes(exporting: node)
        let spatial = input.count
        let outputPadding = try a.ints("output_padding") ?? Array(repeating: 0, count: spatial)
        guard outputPadding.count == spatial else {
            throw CoreMLExportError.unsupportedOp(node: node.label, op: node.opType, reason: "output_padding does not have \(spatial) values")
        }
        let window = try lowering(node) { try WindowAttributes(a) }
        geometry = try lowering(node) {
            try window.resolveTransposed(input: input, kernel: kernel, outputPadding: outputPadding, outputShape: try a.ints("output_shape"))
        }
        guard geometry.output == output else {
            throw CoreMLExportError.preparation("\(node.label) gives \(geometry.output) where shape inference gave \(output)")
        }
        var pads = geometry.padBegin + geometry.padEnd
        guard pads.allSatisfy({ $0 >= 0 }) else {
            throw CoreMLExportError.unsupportedOp(node: node.label, op: node.opType, reason: "an output_shape beyond the full transposed convolution (pads \(pads))")
        }
        for i in 0..<spatial {
            guard pads[i + spatial] >= outputPadding[i] else {
                throw CoreMLExportError.unsupportedOp(node: node.label, op: node.opType,
                                                      reason: "output_padding \(outputPadding) beyond the end pads (\(target) has no output padding)")
            }
            pads[i + spatial] -= outputPadding[i]
        }
        self.pads = pads
    }
}
