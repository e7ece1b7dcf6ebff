import FerryIR

/// FusedConv (`com.microsoft`, as ONNX Runtime defines it): Conv followed by an activation,
/// applied to each block of output as it is computed. Ferry's activation-fusion pass writes it.
struct FusedConv: Operator {
    static let opType = "FusedConv"
    static let domain = "com.microsoft"
    let conv: Conv

    init(_ node: NodeContext) throws {
        var conv = try Conv(node)
        conv.activation = try FusedActivation.parse(node, parameters: "activation_params")
        self.conv = conv
    }

    func run(_ inputs: [Tensor?], _ context: ExecutionContext) throws -> [Tensor] {
        try conv.run(inputs, context)
    }
}

extension FusedActivation {
    /// Reads the `activation` attribute and its parameters (one list attribute, or ONNX
    /// Runtime's FusedGemm `activation_alpha`/`activation_beta` pair).
    static func parse(_ node: NodeContext, parameters attribute: String?) throws -> FusedActivation {
        let name = try node.string("activation", default: "")
        var parameters: [Float] = []
        if let attribute {
            parameters = try node.floats(attribute) ?? []
        } else {
            let alpha = try node.floatIfPresent("activation_alpha")
            let beta = try node.floatIfPresent("activation_beta")
            node.ignore("activation_gamma")
            switch name {
            case "LeakyRelu": parameters = [alpha ?? 0.01]
            case "HardSigmoid": parameters = [alpha ?? 0.2, beta ?? 0.5]
            case "Clip": parameters = [alpha ?? -.infinity, beta ?? .infinity]
            default: break
            }
        }
        guard let activation = FusedActivation(name: name, parameters: parameters) else {
            throw node.invalid("activation", "'\(name)' with \(parameters.count) parameters is not an activation Ferry fuses")
        }
        return activation
    }
}
