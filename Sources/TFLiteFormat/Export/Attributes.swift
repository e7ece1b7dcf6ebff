import FerryIR
import FerryRuntime

/// Attributes read for export: a wrong attribute type is an
/// export error naming the node.
extension NodeAttributes {
    init(exporting node: Node) {
        self.init(node) { name, expected, actual in
            TFLiteExportError.unsupportedOp(node: node.label, op: node.opType, reason: NodeAttributes.message(name, expected, actual))
        }
    }
}

extension TFLiteEmitter {
    /// The error for an op (or attribute combination) with no TFLite form.
    func unsupported(_ node: Node, _ reason: String) -> TFLiteExportError {
        .unsupportedOp(node: node.label, op: node.opType, reason: reason)
    }

    /// The constant behind input `index`, or an error naming it.
    func constantInput(_ node: Node, _ index: Int) throws -> Tensor {
        guard let name = node.input(index) else { throw unsupported(node, "input \(index) is missing") }
        guard let tensor = constants[name] else { throw TFLiteExportError.notConstant(node: node.label, op: node.opType, input: name) }
        return tensor
    }

    /// Integer values from input `index` (opset ≥ some version) or attribute `name` (before).
    func intsFromInputOrAttribute(_ node: Node, input index: Int, attribute name: String) throws -> [Int]? {
        if let input = node.input(index) {
            guard let tensor = constants[input] else { throw TFLiteExportError.notConstant(node: node.label, op: node.opType, input: input) }
            return tensor.integers()
        }
        return try NodeAttributes(exporting: node).ints(name)
    }

    /// Normalizes a possibly negative axis of a rank-`rank` value.
    func axis(_ axis: Int, rank: Int, _ node: Node) throws -> Int {
        let normalized = axis < 0 ? axis + rank : axis
        guard normalized >= 0 && normalized < max(rank, 1) else { throw unsupported(node, "axis \(axis) out of range for rank \(rank)") }
        return normalized
    }

    /// Float32 data of a constant, for folding weights.
    func floats(_ tensor: Tensor, _ node: Node) throws -> [Float] {
        guard tensor.dataType == .float32 else { throw unsupported(node, "a \(tensor.dataType) constant where float32 is needed") }
        return tensor.elements(as: Float.self)
    }
}

extension TFLiteExportError: LoweringErrorMapping {}

/// Runs what this writer shares with the reference core (`ResizeAttributes`, `ResizeProbe`,
/// `WindowAttributes`), its neutral errors made export errors naming the node.
func lowering<T>(_ node: Node, _ body: () throws -> T) throws -> T { try TFLiteExportError.mapping(node, body) }
