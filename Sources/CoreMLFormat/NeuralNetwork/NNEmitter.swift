import FerryIR

/// Builds the NeuralNetwork layer list while the exporter walks the graph: maps IR values to
/// blob names, folds weights (float16 Casts, DequantizeLinear of int8 constants, palettes) into
/// the layers' `WeightParams`, and loads other constants with `loadConstantND`.
final class NNEmitter {
    let prepared: PreparedGraph
    let options: CoreMLExportOptions
    var layers: [NNLayer] = []
    /// Short blob and layer names (`v0`, `v1`, …); the interface keeps descriptive ones.
    var identifiers = IdentifierTable(short: true)
    /// IR value name → blob name.
    var blobs: [String: String] = [:]
    /// IR values that are stored weights rather than computed blobs (a float16 Cast or a
    /// DequantizeLinear of a constant): their values, storage kept, and shape.
    var storedWeights: [String: StoredWeight] = [:]

    init(prepared: PreparedGraph, options: CoreMLExportOptions) {
        self.prepared = prepared
        self.options = options
    }

    var graph: Graph { prepared.graph }
    var opset: Int { prepared.opsets[""] ?? prepared.opsets["ai.onnx"] ?? 1 }

    func unsupported(_ node: Node, _ reason: String) -> CoreMLExportError {
        .unsupportedOp(node: node.label, op: node.opType, reason: reason)
    }

    /// The static shape of IR value `name`, or an error naming the node.
    func staticShape(_ name: String, _ node: Node) throws -> [Int] {
        if let constant = graph.initializers[name] { return constant.shape }
        if let stored = storedWeights[name] { return stored.shape }
        if let shape = prepared.types[name]?.staticShape { return shape }
        throw CoreMLExportError.dynamicShape(node: node.label, value: name)
    }

    func rank(_ name: String, _ node: Node) throws -> Int {
        if let constant = graph.initializers[name] { return constant.rank }
        if let stored = storedWeights[name] { return stored.shape.count }
        guard let shape = prepared.types[name]?.shape else {
            throw unsupported(node, "the rank of '\(name)' is unknown")
        }
        return shape.count
    }

    /// Normalizes a possibly negative axis of a rank-`rank` value.
    func axis(_ axis: Int, rank: Int, _ node: Node) throws -> Int {
        let normalized = axis < 0 ? axis + rank : axis
        guard normalized >= 0 && normalized < max(rank, 1) else { throw unsupported(node, "axis \(axis) out of range for rank \(rank)") }
        return normalized
    }

    /// The blob holding IR value `name`: a computed value, or a constant loaded on first use.
    func blob(_ name: String, _ node: Node) throws -> String {
        if let mapped = blobs[name] { return mapped }
        let weights: NNWeights, shape: [Int]
        if let constant = graph.initializers[name] {
            guard constant.dataType.isFloatingPoint || constant.dataType.isInteger || constant.dataType == .bool else {
                throw CoreMLExportError.unsupportedType(value: name, type: constant.dataType)
            }
            // Every NeuralNetwork blob is float: integer constants (indices, labels) are floats too.
            weights = .float32(constant.doubles().map { Float($0) })
            shape = constant.shape
        } else if let stored = storedWeights[name] {
            if case .float16 = stored.weights { weights = stored.weights } else { weights = .float32(stored.floats()) }
            shape = stored.shape
        } else {
            throw unsupported(node, "input '\(name)' is not defined before it")
        }
        let output = identifiers.fresh(name)
        // loadConstantND needs rank ≥ 1.
        layers.append(NNLayer(name: output, inputs: [], outputs: [output], kind: .loadConstant(shape: shape.isEmpty ? [1] : shape, data: weights)))
        blobs[name] = output
        return output
    }

    func input(_ node: Node, _ index: Int) throws -> String {
        guard let name = node.input(index) else { throw unsupported(node, "input \(index) is missing") }
        return try blob(name, node)
    }

    /// A constant input as a tensor (initializers only), or an error naming it.
    func constantInput(_ node: Node, _ index: Int) throws -> Tensor {
        guard let name = node.input(index) else { throw unsupported(node, "input \(index) is missing") }
        guard let tensor = graph.initializers[name] else { throw CoreMLExportError.notConstant(node: node.label, op: node.opType, input: name) }
        return tensor
    }

    /// The float values of a weight input (an initializer or a stored weight), its shape and,
    /// when kept compressed, its storage.
    func weightInput(_ node: Node, _ index: Int) throws -> (values: [Float], shape: [Int], stored: NNWeights?) {
        guard let name = node.input(index) else { throw unsupported(node, "input \(index) is missing") }
        if let stored = storedWeights[name] {
            // Linear weights quantized along another axis than the first are handed over as floats.
            return (stored.floats(), stored.shape, stored.axis == 0 ? stored.weights : nil)
        }
        let tensor = try constantInput(node, index)
        return (tensor.doubles().map { Float($0) }, tensor.shape, nil)
    }

    /// Weights of `values` in storage order (output channel first, `channels` of them), kept in
    /// the storage `stored` came in when it still fits, else float32 — palettized when asked.
    func weights(_ values: [Float], channels: Int, stored: NNWeights?, sameLayout: Bool) -> NNWeights {
        if sameLayout, let stored {
            switch stored {
            case .float16: return stored
            case .linear(_, _, let scale, _) where scale.count == 1 || scale.count == channels: return stored
            default: break
            }
        }
        if let bits = options.compression.paletteBits, values.count >= options.compression.minimumElements {
            let (lut, indices) = Palettizer.palettize(values, bits: bits)
            return .lookupTable(bits: bits, indices: indices, table: lut)
        }
        if case .float16? = stored { return .float16(values.map { Float16($0) }) }
        return .float32(values)
    }

    /// A small parameter vector (bias, norm scale): float16 when the weights came as float16.
    func vector(_ node: Node, _ index: Int) throws -> NNWeights? {
        guard node.input(index) != nil else { return nil }
        let (values, _, stored) = try weightInput(node, index)
        if case .float16? = stored { return stored }
        return .float32(values)
    }

    /// Appends a layer producing IR value `output` (or a fresh intermediate when `output` is
    /// not an IR value), returns its blob.
    @discardableResult
    func layer(_ kind: NNLayerKind, _ inputs: [String], output: String, intermediate: Bool = false) -> String {
        let name = identifiers.fresh(output)
        layers.append(NNLayer(name: name, inputs: inputs, outputs: [name], kind: kind))
        if !intermediate { blobs[output] = name }
        return name
    }

    /// Lowers `node` to one layer reading `inputs` and producing the node's first output.
    func emit(_ node: Node, _ kind: NNLayerKind, _ inputs: [String]) {
        layer(kind, inputs, output: node.outputs[0])
    }
}

/// A weight the graph stores compressed (a float16 Cast or DequantizeLinear of a constant), in
/// the IR's layout; `axis` is the axis a per-channel linear quantization runs along.
struct StoredWeight {
    var weights: NNWeights
    var shape: [Int]
    var axis = 0

    /// The float values in the IR's layout.
    func floats() -> [Float] {
        guard case .linear(_, let values, let scale, let bias) = weights, scale.count > 1, axis != 0 else { return weights.floats() }
        let inner = shape[(axis + 1)...].reduce(1, *)
        return values.enumerated().map { index, q in
            let c = (index / inner) % shape[axis]
            return Float(q) * scale[c] + bias[c]
        }
    }

    /// A rank-2 weight transposed, its quantization following: per-column scales become per-row.
    func transposed() -> StoredWeight {
        precondition(shape.count == 2)
        let (rows, columns) = (shape[0], shape[1])
        func swap<T>(_ values: [T]) -> [T] { (0..<(rows * columns)).map { values[($0 % rows) * columns + $0 / rows] } }
        switch weights {
        case .float32(let values): return StoredWeight(weights: .float32(swap(values)), shape: [columns, rows])
        case .float16(let values): return StoredWeight(weights: .float16(swap(values)), shape: [columns, rows])
        case .linear(let bits, let values, let scale, let bias):
            return StoredWeight(weights: .linear(bits: bits, values: swap(values), scale: scale, bias: bias), shape: [columns, rows],
                                axis: scale.count > 1 ? 1 - axis : 0)
        case .lookupTable(let bits, let indices, let table):
            return StoredWeight(weights: .lookupTable(bits: bits, indices: swap(indices), table: table), shape: [columns, rows])
        }
    }
}
