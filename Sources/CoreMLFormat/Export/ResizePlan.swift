import FerryIR
import FerryRuntime

/// What both Core ML writers (ML Program and NeuralNetwork) decide about a Resize or Upsample
/// of the last two axes before choosing a layer: the shapes, the refusals no Core ML layer
/// escapes, and the check of each candidate layer's grid on a probe image.
struct ResizePlan {
    let node: Node
    let request: ResizeAttributes
    let height: Int, width: Int, outHeight: Int, outWidth: Int
    /// Nearest sampling (a 1×1 image is resized as nearest, whatever the mode).
    let nearest: Bool

    /// `target` names the format in messages ("MIL", "NeuralNetwork").
    init(_ node: Node, input: [Int], output: [Int], opset: Int, target: String) throws {
        let unsupported = { (reason: String) in CoreMLExportError.unsupportedOp(node: node.label, op: node.opType, reason: reason) }
        guard input.count == 4, output.count == 4 else {
            throw unsupported("only resizing the last two axes of a rank-4 tensor maps to \(target) (input shape \(input))")
        }
        guard output[0] == input[0], output[1] == input[1] else {
            throw unsupported("resizing the batch or channel axis (\(input) → \(output)); \(target) resizes the last two axes")
        }
        self.node = node
        request = try ResizeAttributes(NodeAttributes(exporting: node), opset: opset)
        (height, width, outHeight, outWidth) = (input[2], input[3], output[2], output[3])
        if let reason = request.refusal(downscaling: outHeight < height || outWidth < width) { throw unsupported(reason) }
        switch request.mode {
        case "nearest": nearest = true
        case "linear", "bilinear": nearest = height == 1 && width == 1
        case "cubic": throw unsupported("mode 'cubic' (\(target)'s resize layers are nearest and bilinear)")
        default: throw unsupported("mode '\(request.mode)'")
        }
    }

    /// Whether the output is the input repeated a whole number of times along each axis.
    var integral: Bool { outHeight % height == 0 && outWidth % width == 0 && outHeight >= height && outWidth >= width }
    /// The whole factors [H, W] (meaningful when `integral`).
    var factors: [Int] { [outHeight / height, outWidth / width] }

    /// Emits the first candidate whose grid, run as the ONNX Resize the reader maps it to,
    /// gives what the source node gives in the reference core on a probe image; otherwise
    /// refuses the node, saying which grids `target` has (`grids`).
    func emitFirstMatching(_ candidates: [(grid: MILResizeGrid, emit: () throws -> Void)], constants: [String: Tensor], opset: Int,
                           target: String, grids: String) throws {
        let probe = ResizeProbe(height: height, width: width, exact: nearest)
        let expected = try lowering(node) { try probe.run(node, constants: constants, opset: opset, outHeight: outHeight, outWidth: outWidth) }
        let sizes = Tensor(shape: [2], values: [Int64(outHeight), Int64(outWidth)])
        for candidate in candidates {
            let equivalent = Node(name: node.name, opType: "Resize", inputs: [node.inputs[0], "", "", "probe_sizes"], outputs: node.outputs,
                                  attributes: candidate.grid.attributes(rank: 4))
            let actual = try lowering(node) {
                try probe.run(equivalent, constants: ["probe_sizes": sizes], opset: CoreMLImporter.opset, outHeight: outHeight, outWidth: outWidth)
            }
            guard probe.matches(actual, expected) else { continue }
            return try candidate.emit()
        }
        throw CoreMLExportError.unsupportedOp(node: node.label, op: node.opType, reason:
            "\(request.summary) resizing \(height)×\(width) to \(outHeight)×\(outWidth) samples a grid no \(target) resize layer samples (\(grids))")
    }
}
