import FerryIR

/// Where a QDQ model's integer values meet float: the DequantizeLinear that reads each integer
/// value (a graph input in integer I/O mode, or an activation) and the QuantizeLinear that writes
/// each integer graph output. Verification quantizes float samples for integer inputs and
/// dequantizes integer outputs and activations with these parameters before comparing.
struct IntegerBoundary {
    /// Integer values read by a DequantizeLinear whose scale and zero point are constants.
    var dequantized: [String: LinearQuantization] = [:]
    /// Integer graph outputs written by a QuantizeLinear with constant parameters.
    var outputs: [String: LinearQuantization] = [:]
    /// Why an integer value's parameters could not be used, for error messages.
    var problems: [String: String] = [:]
    /// Float values that are quantized and dequantized again (QuantizeLinear → DequantizeLinear),
    /// mapped to the dequantized value: what the rest of the graph sees of them. A quantizer may
    /// also drop a Relu and let the QuantizeLinear's range clip, naming the value before it after
    /// the Relu's output, so only the dequantized value means what the name says.
    var requantized: [String: String] = [:]
    /// Dequantized values mapped to the integer value their DequantizeLinear reads (integer
    /// kernels compute that one and may never form the float copy).
    var quantizedBy: [String: String] = [:]

    init(model: Model) {
        let graph = model.graph
        var constants = graph.initializers
        for node in graph.nodes where node.opType == "Constant" && node.domain.isEmpty {
            if case .tensor(let tensor)? = node.attributes["value"], let name = node.outputs.first { constants[name] = tensor }
        }
        let outputNames = Set(graph.outputs.map(\.name))
        var dequantizedBy: [String: String] = [:]
        for node in graph.nodes where node.opType == "DequantizeLinear" {
            if let input = node.input(0), let output = node.outputs.first, !output.isEmpty, dequantizedBy[input] == nil {
                dequantizedBy[input] = output
            }
            if let input = node.input(0), let output = node.outputs.first, !output.isEmpty { quantizedBy[output] = input }
        }
        for node in graph.nodes where node.opType == "QuantizeLinear" {
            if let input = node.input(0), let output = node.outputs.first, let back = dequantizedBy[output], requantized[input] == nil {
                requantized[input] = back
            }
        }
        for node in graph.nodes where node.domain.isEmpty || node.domain == "ai.onnx" {
            let isDequantize = node.opType == "DequantizeLinear"
            guard isDequantize || node.opType == "QuantizeLinear" else { continue }
            let value = isDequantize ? node.input(0) : node.outputs.first
            guard let value, !value.isEmpty, isDequantize || outputNames.contains(value) else { continue }
            guard dequantized[value] == nil || !isDequantize else { continue }   // the first reader decides
            do {
                guard let scaleName = node.input(1), let scale = constants[scaleName] else {
                    throw VerifyError.quantization(value: value, reason: "the scale of \(node.label) is not a constant")
                }
                var zeroPoint: Tensor?
                if let zeroName = node.input(2) {
                    guard let constant = constants[zeroName] else {
                        throw VerifyError.quantization(value: value, reason: "the zero point of \(node.label) is not a constant")
                    }
                    zeroPoint = constant
                }
                if case .int(let blockSize)? = node.attributes["block_size"], blockSize != 0 {
                    throw VerifyError.quantization(value: value, reason: "\(node.label) quantizes by blocks, which verify does not support")
                }
                var axis = 1
                if case .int(let given)? = node.attributes["axis"] { axis = given }
                var defaultType = DataType.uint8
                if !isDequantize, case .int(let code)? = node.attributes["output_dtype"], code != 0, let type = DataType(rawValue: Int32(code)) {
                    defaultType = type
                }
                let parameters = try LinearQuantization(scale: scale, zeroPoint: zeroPoint, axis: axis, defaultType: defaultType, value: value)
                if isDequantize { dequantized[value] = parameters } else { outputs[value] = parameters }
            } catch let error as VerifyError {
                problems[value] = error.description
            } catch {
                problems[value] = "\(error)"
            }
        }
        // Layout ops move integers without changing them (an imported TFLite graph transposes
        // int8 NHWC values to NCHW before dequantizing them): a value they read or write has the
        // parameters of the value on their other side.
        let passThrough: Set<String> = ["Transpose", "Reshape", "Flatten", "Squeeze", "Unsqueeze", "Identity"]
        var quantizedBy: [String: LinearQuantization] = [:]
        for node in graph.nodes where node.opType == "QuantizeLinear" {
            guard let output = node.outputs.first, let scaleName = node.input(1), let scale = constants[scaleName] else { continue }
            let zeroPoint = node.input(2).flatMap { constants[$0] }
            if let parameters = try? LinearQuantization(scale: scale, zeroPoint: zeroPoint, axis: 1, defaultType: .uint8, value: output) {
                quantizedBy[output] = parameters
            }
        }
        var changed = true
        while changed {
            changed = false
            for node in graph.nodes where passThrough.contains(node.opType) && node.domain.isEmpty {
                guard let input = node.input(0), let output = node.outputs.first, !output.isEmpty else { continue }
                if dequantized[input] == nil, let known = dequantized[output], known.scales.count == 1 {
                    dequantized[input] = known
                    problems[input] = nil
                    changed = true
                }
                if quantizedBy[output] == nil, let known = quantizedBy[input], known.scales.count == 1 {
                    quantizedBy[output] = known
                    changed = true
                }
            }
        }
        for name in outputNames where outputs[name] == nil {
            if let known = quantizedBy[name] {
                outputs[name] = known
                problems[name] = nil
            }
        }
    }
}
