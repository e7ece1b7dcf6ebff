import FerryIR

/// A string attribute value (a mode) that exists from `boundary` on: below it, a node using
/// the value is refused.
struct AttributeValueSince: OpsetAdapter {
    let opTypes: Set<String>
    let boundary: Int
    let attribute: String
    let values: Set<String>

    func upgrade(_ node: Node, _ context: inout AdapterContext) throws -> [Node] { [node] }

    func downgrade(_ node: Node, _ context: inout AdapterContext) throws -> [Node] {
        if case .string(let value)? = node.attributes[attribute], values.contains(value) {
            throw OpsetError.notExpressible(node: node.label, what: "\(attribute)='\(value)'", target: context.target, needs: "needs opset \(boundary)")
        }
        return [node]
    }
}
