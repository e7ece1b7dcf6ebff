import FerryIR

/// Reshape's allowzero (opset 14): 1 makes a 0 in the shape mean size zero rather than "copy
/// the input's dimension". With a constant shape holding no 0 the two agree, so going below 14
/// the attribute is dropped; with a 0 (or a computed shape) it is left for the schema check.
struct ReshapeAllowZero: OpsetAdapter {
    let opTypes: Set<String> = ["Reshape"]
    let boundary = 14

    func upgrade(_ node: Node, _ context: inout AdapterContext) throws -> [Node] { [node] }

    func downgrade(_ node: Node, _ context: inout AdapterContext) throws -> [Node] {
        var node = node
        guard case .int(let allowZero)? = node.attributes["allowzero"] else { return [node] }
        let shape = node.input(1).flatMap { context.constantValue($0) }?.integers()
        if allowZero == 0 || (shape.map { !$0.contains(0) } ?? false) { node.attributes["allowzero"] = nil }
        return [node]
    }
}
