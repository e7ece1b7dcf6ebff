import FerryIR
import FerryRuntime

/// Attributes read for export: a wrong attribute type is an
/// export error naming the node.
extension NodeAttributes {
    init(exporting node: Node) {
        self.init(node) { name, expected, actual in
            NCNNExportError.unsupportedOp(node: node.label, op: node.opType, reason: NodeAttributes.message(name, expected, actual))
        }
    }
}

extension NCNNEmitter {
    /// Integer values from input `index` (newer opsets) or attribute `name` (older ones).
    func intsFromInputOrAttribute(_ node: Node, input index: Int, attribute name: String) throws -> [Int]? {
        if let input = node.input(index) {
            guard let tensor = constants[input] else { throw NCNNExportError.notConstant(node: node.label, op: node.opType, input: input) }
            return tensor.integers()
        }
        return try NodeAttributes(exporting: node).ints(name)
    }
}

extension NCNNExportError: LoweringErrorMapping {}

/// Runs what this writer shares with the reference core (`ResizeAttributes`, `ResizeProbe`,
/// `WindowAttributes`), its neutral errors made export errors naming the node.
func lowering<T>(_ node: Node, _ body: () throws -> T) throws -> T { try NCNNExportError.mapping(node, body) }
