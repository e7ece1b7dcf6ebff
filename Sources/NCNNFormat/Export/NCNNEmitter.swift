import FerryIR

/// Builds the layer list and the weight file while the lowerings walk the graph.
///
/// Each ONNX value is held by one or more blobs, one per NCNN shape it has been needed in
/// (its views): reshaping ops (Reshape, Flatten, Squeeze, Identity, …) write no layer and
/// share their input's views, and a `Reshape` layer is written only when a consumer asks for a
/// shape no view has yet.
final class NCNNEmitter {
    let graph: Graph
    let constants: [String: Tensor]
    let shapes: [String: [Int]]
    let types: [String: DataType]
    let quantization: NCNNQuantizationPlan
    let mode: NCNNWeightMode
    let consumers: [String: [Int]]
    /// The default-domain opset (Softmax and ReduceSum changed meaning at 13).
    let graphOpset: Int

    var layers: [NCNNLayer] = []
    var weights = NCNNWeightWriter()
    var names = NCNNNames()
    var layerNames = NCNNNames()
    /// Blobs holding each ONNX value: (shape, blob name), the first being where it was made.
    var views: [String: [(shape: [Int], blob: String)]] = [:]
    /// Node indices folded into an earlier layer (fused activations, biases, GELU parts).
    var absorbed = Set<Int>()
    var int8Layers: [String] = []
    var floatLayers: [String] = []

    init(prepared: NCNNPreparedGraph, mode: NCNNWeightMode, opset: Int) {
        graphOpset = opset
        graph = prepared.graph
        constants = prepared.constants
        shapes = prepared.shapes
        types = prepared.types
        quantization = prepared.quantization
        self.mode = mode
        consumers = prepared.graph.consumers()
    }

    // MARK: shapes

    /// The static ONNX shape of `value`.
    func shape(_ value: String) throws -> [Int] {
        guard let shape = shapes[value] else { throw NCNNExportError.dynamicShape(value: value) }
        return shape
    }

    /// The layout of `value` (its NCNN blob shape and axis map).
    func layout(_ value: String) throws -> NCNNLayout {
        let s = try shape(value)
        guard let layout = NCNNLayout(s) else { throw NCNNExportError.tooManyDimensions(value: value, shape: s) }
        return layout
    }

    // MARK: blobs

    /// A new blob name derived from `base`.
    func newBlob(_ base: String) -> String { names.make(base) }

    /// Records that `blob` (of NCNN shape `shape`) holds `value`.
    func define(_ value: String, blob: String, shape: [Int]) {
        views[value, default: []].append((shape, blob))
    }

    /// `output` holds the same elements in the same order as `input` (a reshape): shares its views.
    func alias(_ output: String, to input: String, node: Node) throws {
        guard let existing = views[input] else {
            if constants[input] != nil {
                throw NCNNExportError.unsupportedOp(node: node.label, op: node.opType, reason: "reshapes a constant that folding kept; NCNN needs it computed")
            }
            throw NCNNExportError.preparation("value '\(input)' read by \(node.label) has no blob")
        }
        views[output] = existing
    }

    /// A blob holding `value` in NCNN shape `shape` (default: its own layout): an existing view,
    /// a MemoryData layer for a constant, or a Reshape of another view.
    func blob(_ value: String, shape wanted: [Int]? = nil) throws -> String {
        let target = try wanted ?? layout(value).shape
        if let found = views[value]?.first(where: { $0.shape == target }) { return found.blob }
        if let constant = constants[value] {
            guard constant.count == target.reduce(1, *) else {
                throw NCNNExportError.preparation("constant '\(value)' of shape \(constant.shape) cannot be viewed as \(target)")
            }
            let blob = newBlob(views[value] == nil ? value : value + "_" + target.map(String.init).joined(separator: "x"))
            try emit("MemoryData", name: value, inputs: [], outputs: [blob], params: NCNNLayout.shapeParams(target)) {
                $0.append(try self.floats(constant, value), .rawFloat32)
            }
            define(value, blob: blob, shape: target)
            return blob
        }
        guard let source = views[value]?.first else { throw NCNNExportError.preparation("value '\(value)' is read before any layer writes it") }
        guard source.shape.reduce(1, *) == target.reduce(1, *) else {
            throw NCNNExportError.preparation("value '\(value)' of NCNN shape \(source.shape) cannot be viewed as \(target)")
        }
        let blob = newBlob(source.blob + "_" + target.map(String.init).joined(separator: "x"))
        try emit("Reshape", name: source.blob + "_reshape", inputs: [source.blob], outputs: [blob], params: NCNNLayout.shapeParams(target))
        define(value, blob: blob, shape: target)
        return blob
    }

    /// Appends a layer; `weights` appends its weight arrays in the order NCNN loads them.
    func emit(_ type: String, name: String, inputs: [String], outputs: [String], params: [Int: NCNNParamValue] = [:],
              weights write: ((inout NCNNWeightWriter) throws -> Void)? = nil) throws {
        layers.append(NCNNLayer(type: type, name: layerNames.make(name), inputs: inputs, outputs: outputs, params: params))
        try write?(&weights)
    }

    /// Writes one `load(…, 0)` weight array: float16 when the mode asks and the values survive it.
    func appendWeight(_ values: [Float], into writer: inout NCNNWeightWriter) {
        if mode == .float16, values.allSatisfy({ Float(Float16($0)) == $0 || $0.isNaN }) {
            writer.append(values, .float16)
        } else {
            writer.append(values, .taggedFloat32)
        }
    }

    // MARK: constants

    func unsupported(_ node: Node, _ reason: String) -> NCNNExportError {
        .unsupportedOp(node: node.label, op: node.opType, reason: reason)
    }

    /// The constant behind input `index`, or an error naming it.
    func constantInput(_ node: Node, _ index: Int) throws -> Tensor {
        guard let name = node.input(index) else { throw unsupported(node, "input \(index) is missing") }
        guard let tensor = constants[name] else { throw NCNNExportError.notConstant(node: node.label, op: node.opType, input: name) }
        return tensor
    }

    func floats(_ tensor: Tensor, _ what: String) throws -> [Float] {
        switch tensor.dataType {
        case .float32: return tensor.elements(as: Float.self)
        case .float16: return tensor.elements(as: Float16.self).map { Float($0) }
        case .float64: return tensor.elements(as: Double.self).map { Float($0) }
        default: throw NCNNExportError.preparation("constant '\(what)' is \(tensor.dataType); NCNN weights are float")
        }
    }

    /// The single reader of `value` when it has exactly one and is not a graph output.
    func soleConsumer(_ value: String) -> (index: Int, node: Node)? {
        guard let readers = consumers[value], readers.count == 1, !graph.isInterface(value) else { return nil }
        return (readers[0], graph.nodes[readers[0]])
    }

    /// Normalizes a possibly negative axis.
    func axis(_ axis: Int, rank: Int, _ node: Node) throws -> Int {
        let normalized = axis < 0 ? axis + rank : axis
        guard normalized >= 0 && normalized < max(rank, 1) else { throw unsupported(node, "axis \(axis) out of range for rank \(rank)") }
        return normalized
    }
}
