import FerryIR

/// An activation NCNN's Convolution and InnerProduct apply themselves (`activation_type`).
struct NCNNFusedActivation {
    var type: Int
    var params: [Float]
    /// The value the activation writes (the fused layer's output).
    var output: String

    var layerParams: [Int: NCNNParamValue] {
        var result: [Int: NCNNParamValue] = [9: .int(type)]
        if !params.isEmpty { result[10] = .floats(params) }
        return result
    }
}

extension NCNNEmitter {
    /// The activation reading `value` alone, absorbed into the layer that writes `value`.
    func fuseActivation(after value: String, types: Set<Int>? = nil) throws -> NCNNFusedActivation? {
        guard let (index, node, passed) = soleConsumerSkippingIdentity(value), node.domain.isEmpty else { return nil }
        let output = node.outputs[0]
        let activation: NCNNFusedActivation
        switch node.opType {
        case "Relu": activation = NCNNFusedActivation(type: 1, params: [], output: output)
        case "LeakyRelu": activation = NCNNFusedActivation(type: 2, params: [try NodeAttributes(exporting: node).float("alpha", default: 0.01)], output: output)
        case "Sigmoid": activation = NCNNFusedActivation(type: 4, params: [], output: output)
        case "HardSwish": activation = NCNNFusedActivation(type: 6, params: [1.0 / 6.0, 0.5], output: output)
        case "Clip":
            guard let (lo, hi) = try? clipBounds(node) else { return nil }
            activation = NCNNFusedActivation(type: 3, params: [lo, hi], output: output)
        default: return nil
        }
        if let types, !types.contains(activation.type) { return nil }
        absorbed.insert(index)
        absorbed.formUnion(passed)
        return activation
    }

    /// The single reader of `value`, looking through the Identity nodes int8 pairs leave
    /// (returned in `passed`, for the caller to absorb when it fuses).
    func soleConsumerSkippingIdentity(_ value: String) -> (index: Int, node: Node, passed: [Int])? {
        var current = value
        var passed: [Int] = []
        while let (index, node) = soleConsumer(current) {
            if node.opType == "Identity" && node.domain.isEmpty {
                passed.append(index)
                current = node.outputs[0]
                continue
            }
            return (index, node, passed)
        }
        return nil
    }

    /// Clip's bounds from its inputs (opset 11+) or attributes (before).
    func clipBounds(_ node: Node) throws -> (Float, Float) {
        let attributes = NodeAttributes(exporting: node)
        var lo = try attributes.float("min", default: -Float.greatestFiniteMagnitude)
        var hi = try attributes.float("max", default: Float.greatestFiniteMagnitude)
        if node.input(1) != nil { lo = try floats(try constantInput(node, 1), node.inputs[1]).first ?? lo }
        if node.input(2) != nil { hi = try floats(try constantInput(node, 2), node.inputs[2]).first ?? hi }
        return (lo, hi)
    }

    /// One NCNN layer applied elementwise (same shape in and out).
    func lowerElementwise(_ node: Node, _ type: String, _ params: [Int: NCNNParamValue] = [:]) throws {
        guard let x = node.input(0) else { throw unsupported(node, "input 0 is missing") }
        let output = node.outputs[0]
        let shape = try layout(output).shape
        let blob = newBlob(output)
        try emit(type, name: node.name.isEmpty ? output : node.name, inputs: [try self.blob(x, shape: shape)], outputs: [blob], params: params)
        define(output, blob: blob, shape: shape)
    }

    func lowerClip(_ node: Node) throws {
        let (lo, hi) = try clipBounds(node)
        var params: [Int: NCNNParamValue] = [:]
        if lo != -Float.greatestFiniteMagnitude { params[0] = .float(lo) }
        if hi != Float.greatestFiniteMagnitude { params[1] = .float(hi) }
        try lowerElementwise(node, "Clip", params)
    }

    func lowerUnaryOp(_ node: Node, _ op: Int) throws {
        try lowerElementwise(node, "UnaryOp", [0: .int(op)])
    }
}
