import FerryIR

/// Collects the IR graph while the importer walks the MIL operations.
final class IRBuilder {
    var nodes: [Node] = []
    var inputs: [ValueInfo] = []
    var outputs: [ValueInfo] = []
    var initializers: [String: Tensor] = [:]
    var initializerOrder: [String] = []
    /// MIL value → its type.
    var types: [String: MILTensorType] = [:]
    /// MIL constants (parameters such as strides, axes, pad_type) by value name.
    var constants: [String: MILValue] = [:]
    /// MIL value → IR value, where they differ (graph inputs keep their source names).
    var names: [String: String] = [:]
    /// MIL value → the source name it was written for (short names given back), where known.
    var sources: [String: String] = [:]
    /// MIL values the IR has no form for (classify's string label): left out of the outputs.
    var omitted = Set<String>()
    private var counter = 0

    func name(_ mil: String) -> String { names[mil] ?? sources[mil] ?? mil }

    func node(_ op: String, _ inputs: [String], _ outputs: [String], _ attributes: [String: Attribute] = [:]) {
        counter += 1
        nodes.append(Node(name: "\(outputs[0])/\(op)", opType: op, inputs: inputs, outputs: outputs, attributes: attributes))
    }

    /// A fresh initializer holding `tensor`.
    func initializer(_ tensor: Tensor, _ base: String) -> String {
        var name = base
        var suffix = 1
        while initializers[name] != nil { name = "\(base)_\(suffix)"; suffix += 1 }
        initializers[name] = tensor
        initializerOrder.append(name)
        return name
    }

    /// A constant tensor as the IR holds it: float16 widened to float32 (exactly).
    static func irTensor(_ tensor: Tensor) -> Tensor {
        tensor.dataType == .float16 ? Tensor(shape: tensor.shape, values: tensor.elements(as: Float16.self).map { Float($0) }) : tensor
    }

    /// Emits the IR nodes computing MIL value `output` of `type`: `body(target)` writes into
    /// `target`, and a float16 result is then rounded to float16 and back.
    func define(_ output: String, _ type: MILTensorType, _ body: (String) throws -> Void) rethrows {
        types[output] = type
        let target = name(output)
        guard type.dataType == .float16 else {
            try body(target)
            return
        }
        let wide = target + "/f32"
        try body(wide)
        node("Cast", [wide], [target + "/f16"], ["to": .int(Int(DataType.float16.rawValue))])
        node("Cast", [target + "/f16"], [target], ["to": .int(Int(DataType.float32.rawValue))])
    }
}
