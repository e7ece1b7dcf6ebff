import FerryIR

/// An attribute an op gained (or lost) at `boundary` that changes nothing at `neutral`: going
/// to the side that lacks it, the attribute is dropped when it holds `neutral` and otherwise
/// left for the schema check to refuse, naming the opset that has it.
struct NeutralAttribute: OpsetAdapter {
    let opTypes: Set<String>
    let boundary: Int
    let attribute: String
    let neutral: Attribute
    /// true: the attribute exists from `boundary` on; false: it exists only before.
    var introduced = true

    func upgrade(_ node: Node, _ context: inout AdapterContext) throws -> [Node] {
        introduced ? [node] : [dropIfNeutral(node)]
    }

    func downgrade(_ node: Node, _ context: inout AdapterContext) throws -> [Node] {
        introduced ? [dropIfNeutral(node)] : [node]
    }

    private func dropIfNeutral(_ node: Node) -> Node {
        var node = node
        guard let value = node.attributes[attribute] else { return node }
        switch (value, neutral) {
        case (.int(let a), .int(let b)) where a == b:
            node.attributes[attribute] = nil
        case (.string(let a), .string(let b)) where a == b:
            node.attributes[attribute] = nil
        case (.ints(let a), .ints(let b)) where a.allSatisfy({ $0 == b.first }):
            node.attributes[attribute] = nil
        default:
            break
        }
        return node
    }
}

/// Attributes with a value that means "as before", by the opset that added them.
let neutralAttributes: [any OpsetAdapter] = [
    NeutralAttribute(opTypes: ["BatchNormalization"], boundary: 9, attribute: "spatial", neutral: .int(1), introduced: false),
    NeutralAttribute(opTypes: ["ArgMax", "ArgMin"], boundary: 12, attribute: "select_last_index", neutral: .int(0)),
    NeutralAttribute(opTypes: ["BatchNormalization"], boundary: 14, attribute: "training_mode", neutral: .int(0)),
    NeutralAttribute(opTypes: ["LSTM", "GRU", "RNN"], boundary: 14, attribute: "layout", neutral: .int(0)),
    NeutralAttribute(opTypes: ["Shape"], boundary: 15, attribute: "start", neutral: .int(0)),
    NeutralAttribute(opTypes: ["Resize"], boundary: 18, attribute: "antialias", neutral: .int(0)),
    NeutralAttribute(opTypes: ["Resize"], boundary: 18, attribute: "keep_aspect_ratio_policy", neutral: .string("stretch")),
    NeutralAttribute(opTypes: ["Cast", "QuantizeLinear"], boundary: 19, attribute: "saturate", neutral: .int(1)),
    NeutralAttribute(opTypes: ["AveragePool"], boundary: 19, attribute: "dilations", neutral: .ints([1])),
    NeutralAttribute(opTypes: ["QuantizeLinear", "DequantizeLinear"], boundary: 21, attribute: "block_size", neutral: .int(0)),
    NeutralAttribute(opTypes: ["QuantizeLinear"], boundary: 21, attribute: "output_dtype", neutral: .int(0)),
]
