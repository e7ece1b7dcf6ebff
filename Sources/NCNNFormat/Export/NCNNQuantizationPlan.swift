import FerryIR

/// What Ferry's int8 QDQ graph says about NCNN's int8 layers: the int8 weights with their
/// per-channel scales, and the quantization of every activation a QDQ pair guarded.
///
/// NCNN quantizes a layer's float input itself, symmetrically (`round(x · scale)` clamped to
/// ±127), so its scale is the reciprocal of an ONNX scale: `1/s` when the zero point is 0 (the
/// same grid), else `127 / max(|lo|, |hi|)` over the asymmetric pair's range, so nothing the
/// calibration saw is clipped. Every other layer runs in float32, so the pairs are removed.
struct NCNNQuantizationPlan {
    struct Weight {
        var values: [Int8]
        var shape: [Int]
        /// ONNX per-channel scales (dequantized = q · scale).
        var scales: [Float]
        var axis: Int
    }

    struct Activation {
        var scale: Float
        var zeroPoint: Int

        /// NCNN's `bottom_blob_int8_scales` entry.
        var ncnnScale: Float {
            if zeroPoint == 0 { return 1 / scale }
            let lo = Float(-128 - zeroPoint) * scale, hi = Float(127 - zeroPoint) * scale
            let bound = max(abs(lo), abs(hi))
            return bound > 0 ? 127 / bound : 1
        }
    }

    var weights: [String: Weight] = [:]
    var activations: [String: Activation] = [:]

    /// Reads and removes the QDQ nodes of `graph`: weight DequantizeLinears become float
    /// constants (their int8 form kept here), activation pairs disappear (the float graph's
    /// names come back, so fusion and pattern matching see the float graph).
    static func extract(from graph: inout Graph) throws -> NCNNQuantizationPlan {
        var plan = NCNNQuantizationPlan()
        let producers = graph.producers()
        let consumers = graph.consumers()
        var removed = Set<Int>()
        var renames: [String: String] = [:]
        for (index, node) in graph.nodes.enumerated() where node.opType == "DequantizeLinear" && node.domain.isEmpty {
            guard let source = node.input(0), let output = node.outputs.first, let scaleName = node.input(1),
                  let scaleTensor = graph.initializers[scaleName], scaleTensor.dataType == .float32 else {
                throw NCNNExportError.quantization("node \(node.label) has no constant float32 scale")
            }
            let scales = scaleTensor.elements(as: Float.self)
            let zeroPoints = node.input(2).flatMap { graph.initializers[$0] }?.integers() ?? [0]
            if let q = graph.initializers[source] {
                // A quantized constant: weights (int8, per channel), biases (int32), arithmetic operands.
                let axisValue: Int
                if case .int(let a)? = node.attributes["axis"] { axisValue = a } else { axisValue = 1 }
                let axis = scales.count > 1 ? (axisValue < 0 ? axisValue + q.rank : axisValue) : 0
                let raw = q.integers()
                let strides = Tensor.strides(of: q.shape)
                var floats = [Float](repeating: 0, count: raw.count)
                for i in raw.indices {
                    let channel = scales.count > 1 ? (i / strides[axis]) % q.shape[axis] : 0
                    let zero = zeroPoints.count > 1 ? zeroPoints[channel] : zeroPoints[0]
                    floats[i] = Float(raw[i] - zero) * scales[channel]
                }
                if q.dataType == .int8, zeroPoints.allSatisfy({ $0 == 0 }) {
                    plan.weights[output] = Weight(values: raw.map { Int8($0) }, shape: q.shape, scales: scales, axis: axis)
                }
                graph.setInitializer(output, Tensor(shape: q.shape, values: floats))
                removed.insert(index)
                continue
            }
            guard let qIndex = producers[source], graph.nodes[qIndex].opType == "QuantizeLinear",
                  let floatValue = graph.nodes[qIndex].input(0), consumers[source]?.count == 1, !graph.isInterface(source) else {
                throw NCNNExportError.quantization("node \(node.label) dequantizes '\(source)', which is not a QuantizeLinear output read only here (integer graph inputs or outputs, --io int8, have no NCNN form)")
            }
            guard scales.count == 1 else { throw NCNNExportError.quantization("node \(node.label) has per-channel activation scales") }
            let activation = Activation(scale: scales[0], zeroPoint: zeroPoints.first ?? 0)
            plan.activations[output] = activation
            plan.activations[floatValue] = activation
            removed.insert(qIndex)
            removed.insert(index)
            // The pair goes; one name is kept for the value: the graph input's, else the
            // dequantized one (readers and graph outputs use it), which the producer now writes.
            if graph.inputs.contains(where: { $0.name == floatValue }) { renames[output] = floatValue } else { renames[floatValue] = output }
        }
        var nodes: [Node] = []
        for (index, node) in graph.nodes.enumerated() where !removed.contains(index) {
            var node = node
            node.inputs = node.inputs.map { renames[$0] ?? $0 }
            node.outputs = node.outputs.map { renames[$0] ?? $0 }
            nodes.append(node)
        }
        for index in graph.outputs.indices { graph.outputs[index].name = renames[graph.outputs[index].name] ?? graph.outputs[index].name }
        if let stray = nodes.first(where: { $0.opType == "QuantizeLinear" }) {
            throw NCNNExportError.quantization("node \(stray.label) quantizes a value no DequantizeLinear reads back; NCNN blobs are float")
        }
        graph.nodes = nodes
        return plan
    }
}
