/// A model: the main graph plus the operator sets it was written against and its metadata.
public struct Model: Sendable {
    public var graph: Graph
    /// Operator set version by domain ("" is `ai.onnx`).
    public var opsets: [String: Int]
    public var irVersion: Int
    public var producerName: String
    public var producerVersion: String
    public var modelVersion: Int
    public var docString: String
    public var metadata: [String: String]

    public init(graph: Graph, opsets: [String: Int], irVersion: Int = 8, producerName: String = "",
                producerVersion: String = "", modelVersion: Int = 0, docString: String = "",
                metadata: [String: String] = [:]) {
        self.graph = graph
        self.opsets = opsets
        self.irVersion = irVersion
        self.producerName = producerName
        self.producerVersion = producerVersion
        self.modelVersion = modelVersion
        self.docString = docString
        self.metadata = metadata
    }

    /// The default-domain opset version.
    public var opset: Int { opsets[""] ?? opsets["ai.onnx"] ?? 1 }
}
