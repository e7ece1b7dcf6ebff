import FerryIR

extension NNEmitter {
    func lowerUnary(_ node: Node, _ op: NNUnary) throws {
        emit(node, .unary(op), [try input(node, 0)])
    }

    func lowerBinary(_ node: Node, _ op: NNBinary) throws {
        let inputs = node.inputs.filter { !$0.isEmpty }
        guard inputs.count == 2 else { throw unsupported(node, "\(inputs.count) inputs (the broadcasting layers take 2)") }
        emit(node, .binary(op), [try input(node, 0), try input(node, 1)])
    }

    func lowerActivation(_ node: Node, _ make: (NodeAttributes) throws -> NNActivation) throws {
        emit(node, .activation(try make(NodeAttributes(exporting: node))), [try input(node, 0)])
    }

    /// x · hard_sigmoid(x; 1/6, 1/2): a sigmoidHard activation and a multiply.
    func lowerHardSwish(_ node: Node) throws {
        let x = try input(node, 0)
        let gate = layer(.activation(.hardSigmoid(alpha: 1 / 6, beta: 0.5)), [x], output: node.outputs[0] + "_gate", intermediate: true)
        emit(node, .binary(.multiply), [x, gate])
    }

    /// Clip with constant bounds (inputs in opset 11+, attributes before); a missing bound is
    /// the largest float.
    func lowerClip(_ node: Node) throws {
        let attributes = NodeAttributes(exporting: node)
        var low = -Float.greatestFiniteMagnitude, high = Float.greatestFiniteMagnitude
        if opset < 11 {
            low = try attributes.float("min", default: low)
            high = try attributes.float("max", default: high)
        } else {
            if node.input(1) != nil { low = Float(try constantInput(node, 1).doubles()[0]) }
            if node.input(2) != nil { high = Float(try constantInput(node, 2).doubles()[0]) }
        }
        emit(node, .clip(min: low, max: high), [try input(node, 0)])
    }

    func lowerGelu(_ node: Node) throws {
        let approximate = try NodeAttributes(exporting: node).string("approximate", default: "none")
        guard approximate == "none" || approximate == "tanh" else { throw unsupported(node, "approximate '\(approximate)'") }
        emit(node, .gelu(exact: approximate == "none"), [try input(node, 0)])
    }

    /// Every NeuralNetwork blob is float, so a Cast between float types, between integer types
    /// or from integers to floats is a copy (the blob already holds the integer values as
    /// floats). A Cast of a float16 constant is a float16 weight; float → integer has no layer.
    func lowerCast(_ node: Node) throws {
        guard let to = try NodeAttributes(exporting: node).int("to"), let target = DataType(rawValue: Int32(to)) else {
            throw unsupported(node, "'to' is missing or unknown")
        }
        let source = graph.initializers[node.inputs[0]]?.dataType ?? prepared.types[node.inputs[0]]?.dataType
        if let constant = graph.initializers[node.inputs[0]], constant.dataType == .float16, target.isFloatingPoint {
            storedWeights[node.outputs[0]] = StoredWeight(weights: .float16(constant.elements(as: Float16.self)), shape: constant.shape)
            return
        }
        guard let source else { throw unsupported(node, "the type of '\(node.inputs[0])' is unknown") }
        guard target.isFloatingPoint || !source.isFloatingPoint else {
            throw unsupported(node, "\(source) → \(target): NeuralNetwork blobs are float and no layer rounds to integers")
        }
        blobs[node.outputs[0]] = try input(node, 0)
    }

    /// DequantizeLinear of constant int8/uint8 weights: kept as a linearly quantized weight
    /// (uint8 `rawValue`, value = q·scale + bias per output channel) for the layer that reads it.
    func lowerDequantizeLinear(_ node: Node) throws {
        let data = try constantInput(node, 0), scale = try constantInput(node, 1)
        guard data.dataType == .int8 || data.dataType == .uint8 else { throw unsupported(node, "\(data.dataType) data (int8/uint8 only)") }
        let zeroPoint = node.input(2) != nil ? try constantInput(node, 2).integers() : [Int](repeating: 0, count: scale.count)
        let axis = try self.axis(try NodeAttributes(exporting: node).int("axis", default: 1), rank: data.rank, node)
        guard scale.rank <= 1, zeroPoint.count == scale.count, scale.count == 1 || scale.count == data.shape[axis] else {
            throw unsupported(node, "scale of shape \(scale.shape) (per-tensor or per-axis only)")
        }
        let scales = scale.doubles().map { Float($0) }
        // Unsigned storage: int8 q becomes q + 128, and the bias absorbs the shift and zero point.
        let shift = data.dataType == .int8 ? 128 : 0
        let q = data.integers().map { UInt8($0 + shift) }
        let biases = zip(scales, zeroPoint).map { -$0 * Float($1 + shift) }
        storedWeights[node.outputs[0]] = StoredWeight(weights: .linear(bits: 8, values: q, scale: scales, bias: biases), shape: data.shape,
                                                      axis: scale.count > 1 ? axis : 0)
    }
}
