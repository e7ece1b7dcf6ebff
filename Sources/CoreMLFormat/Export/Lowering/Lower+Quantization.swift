import FerryIR

extension MILEmitter {
    /// DequantizeLinear of constant int8/uint8 weights (`--quantize dynamic`) becomes
    /// constexpr_affine_dequantize (iOS 16): the weights stay 8-bit in the file and the device
    /// expands them at load; activations stay float.
    func lowerDequantizeLinear(_ node: Node) throws {
        let data = try constantInput(node, 0), scale = try constantInput(node, 1)
        guard data.dataType == .int8 || data.dataType == .uint8 else { throw unsupported(node, "\(data.dataType) data (int8/uint8 only)") }
        let zeroPoint = node.input(2) != nil ? try constantInput(node, 2) : Tensor(shape: scale.shape, values: [Int8](repeating: 0, count: scale.count))
        let axis = try self.axis(try NodeAttributes(exporting: node).int("axis", default: 1), rank: data.rank, node)
        guard scale.rank <= 1, zeroPoint.count == scale.count, scale.count == 1 || scale.count == data.shape[axis] else {
            throw unsupported(node, "scale of shape \(scale.shape) (per-tensor or per-axis only)")
        }
        minimumIOS = max(minimumIOS, 16)
        let out = node.outputs[0]
        let name = constName(out, weight: true, count: data.count)
        let type = MILTensorType(floatType, data.shape.map { $0 })
        var zero = zeroPoint.dataType == data.dataType ? zeroPoint : convert(zeroPoint, to: MILDataType(data.dataType)!)
        // One zero point for every channel (symmetric weights) is a scalar, which the op
        // broadcasts, rather than a vector in the weight file.
        let zeros = zero.integers()
        if let first = zeros.first, zeros.allSatisfy({ $0 == first }) {
            zero = data.dataType == .int8 ? Tensor(scalar: Int8(first)) : Tensor(scalar: UInt8(first))
        }
        operations.append(MILOperation(type: "constexpr_affine_dequantize", outputs: [MILNamedType(name, type)], attributes: [
            ("name", .string(name)),
            ("quantized_data", .tensor(data)),
            ("zero_point", .tensor(zero.reshaped(zero.count == 1 ? [] : [zero.count]))),
            ("scale", .tensor(convert(scale, to: floatType).reshaped(scale.count == 1 ? [] : [scale.count]))),
            ("axis", .tensor(Tensor(scalar: Int32(axis)))),
        ]))
        types[name] = type
        constants.insert(name)
        values[out] = name
    }
}
