/// One operator application: `outputs = opType(inputs; attributes)`.
///
/// An empty string in `inputs` or `outputs` marks an optional argument that is absent, as in ONNX.
public struct Node: Sendable {
    public var name: String
    public var opType: String
    /// The operator set domain; "" is the default ONNX domain (`ai.onnx`).
    public var domain: String
    public var inputs: [String]
    public var outputs: [String]
    public var attributes: [String: Attribute]
    public var docString: String

    public init(name: String, opType: String, domain: String = "", inputs: [String], outputs: [String],
                attributes: [String: Attribute] = [:], docString: String = "") {
        self.name = name
        self.opType = opType
        self.domain = domain
        self.inputs = inputs
        self.outputs = outputs
        self.attributes = attributes
        self.docString = docString
    }

    /// How errors refer to this node: its name, or its op and first output when unnamed.
    public var label: String {
        if !name.isEmpty { return "'\(name)' (\(opType))" }
        return "\(opType) producing '\(outputs.first ?? "")'"
    }

    /// Input `index` when present and non-empty.
    public func input(_ index: Int) -> String? {
        index < inputs.count && !inputs[index].isEmpty ? inputs[index] : nil
    }
}
