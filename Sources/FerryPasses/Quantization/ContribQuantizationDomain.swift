import FerryIR

/// Moves QuantizeLinear/DequantizeLinear nodes on 16-bit values to ONNX Runtime's com.microsoft
/// domain when the model's opset is below 21, where the standard ops do not take int16 or
/// uint16: ONNX Runtime's own quantizer writes 16-bit QDQ models this way, and every other node
/// stays as it was. Models at opset 21 or later are returned unchanged.
public struct ContribQuantizationDomain: GraphPass {
    public let name = "contrib-qdq-16bit"
    public static let domain = "com.microsoft"

    public init() {}

    public func apply(to model: Model) throws -> Model {
        guard model.opset < 21 else { return model }
        var graph = model.graph
        var moved = 0
        for index in graph.nodes.indices {
            let node = graph.nodes[index]
            guard node.domain.isEmpty || node.domain == "ai.onnx",
                  node.opType == "QuantizeLinear" || node.opType == "DequantizeLinear" else { continue }
            // The integer side: Q's output type is its zero point's; DQ reads the integer input.
            let zeroPoint = node.input(2).flatMap { graph.initializers[$0] }
            let integer = zeroPoint?.dataType ?? (node.opType == "DequantizeLinear" ? node.input(0).flatMap { graph.initializers[$0] }?.dataType : nil)
            guard let integer, integer == .int16 || integer == .uint16 else { continue }
            graph.nodes[index].domain = Self.domain
            moved += 1
        }
        guard moved > 0 else { return model }
        var result = model
        result.graph = graph
        if result.opsets[Self.domain] == nil { result.opsets[Self.domain] = 1 }
        return result
    }
}
