import FerryIR
import FerryRuntime

/// Attributes read for export: a wrong attribute type is an
/// export error naming the node.
extension NodeAttributes {
    init(exporting node: Node) {
        self.init(node) { name, expected, actual in
            CoreMLExportError.unsupportedOp(node: node.label, op: node.opType, reason: NodeAttributes.message(name, expected, actual))
        }
    }
}

extension MILEmitter {
    /// Normalizes a possibly negative axis of a rank-`rank` value.
    func axis(_ axis: Int, rank: Int, _ node: Node) throws -> Int {
        let normalized = axis < 0 ? axis + rank : axis
        guard normalized >= 0 && normalized < max(rank, 1) else { throw unsupported(node, "axis \(axis) out of range for rank \(rank)") }
        return normalized
    }

    /// Integer values from input `index` (newer opsets) or attribute `name` (older ones).
    func intsFromInputOrAttribute(_ node: Node, input index: Int, attribute name: String) throws -> [Int]? {
        if node.input(index) != nil { return try constantInput(node, index).integers() }
        return try NodeAttributes(exporting: node).ints(name)
    }
}

extension CoreMLExportError: LoweringErrorMapping {}

/// Runs what this writer shares with the reference core (`ResizeAttributes`, `ResizeProbe`,
/// `WindowAttributes`), its neutral errors made export errors naming the node.
func lowering<T>(_ node: Node, _ body: () throws -> T) throws -> T { try CoreMLExportError.mapping(node, body) }
