import FerryIR
import FerryPasses
import FerryRuntime

/// The graph as the exporter sees it: the int8 QDQ form read into scales (when asked), float16
/// weights widened, constants folded, and every value given a static shape.
struct NCNNPreparedGraph {
    var graph: Graph
    var constants: [String: Tensor]
    var shapes: [String: [Int]]
    var types: [String: DataType]
    var quantization: NCNNQuantizationPlan
}

enum NCNNPreparation {
    static func prepare(_ model: Model, mode: NCNNWeightMode) throws -> NCNNPreparedGraph {
        var model = model
        do {
            try model.graph.sortAndVerify()
        } catch {
            throw NCNNExportError.preparation("\(error)")
        }
        var plan = NCNNQuantizationPlan()
        if mode == .int8 {
            plan = try NCNNQuantizationPlan.extract(from: &model.graph)
        } else if model.graph.nodes.contains(where: { $0.opType == "QuantizeLinear" || $0.opType == "DequantizeLinear" }) {
            throw NCNNExportError.quantization("the model holds QuantizeLinear/DequantizeLinear nodes; export it with int8 weights (--quantize int8)")
        }
        widenFloat16Weights(&model.graph)
        var inferred: Model
        do {
            model = try ConstantFolding(maxGrowthBytes: Int.max).apply(to: model)
            try model.graph.sortAndVerify()
            inferred = try ShapeInference.infer(model)
            if foldIntegerProductsWithZero(&model.graph, shapes: inferred) {
                model = try ConstantFolding(maxGrowthBytes: Int.max).apply(to: model)
                try model.graph.sortAndVerify()
                inferred = try ShapeInference.infer(model)
            }
        } catch {
            throw NCNNExportError.preparation("\(error)")
        }
        var shapes: [String: [Int]] = [:]
        var types: [String: DataType] = [:]
        for info in inferred.graph.inputs + inferred.graph.outputs + Array(inferred.graph.valueInfo.values) {
            guard let type = info.type else { continue }
            types[info.name] = type.dataType
            if let shape = type.staticShape { shapes[info.name] = shape }
        }
        for (name, tensor) in model.graph.initializers {
            shapes[name] = tensor.shape
            types[name] = tensor.dataType
        }
        return NCNNPreparedGraph(graph: model.graph, constants: model.graph.initializers, shapes: shapes, types: types,
                                 quantization: plan)
    }

    /// NCNN has no integer blobs. An integer product with a constant zero is zero whatever the
    /// other factor (exact: integers have no NaN or infinity), so it becomes a constant; exporters
    /// write such products to keep an input in the signature (Silero VAD's `sr · 0` added to its
    /// state). Returns whether anything changed.
    private static func foldIntegerProductsWithZero(_ graph: inout Graph, shapes inferred: Model) -> Bool {
        var info: [String: ValueType] = [:]
        for value in inferred.graph.inputs + inferred.graph.outputs + Array(inferred.graph.valueInfo.values) {
            if let type = value.type { info[value.name] = type }
        }
        var changed = false
        var kept: [Node] = []
        for node in graph.nodes {
            guard node.opType == "Mul", node.domain.isEmpty, node.inputs.count == 2, let output = node.outputs.first,
                  !graph.isInterface(output), let type = info[output], type.dataType.isInteger, let shape = type.staticShape,
                  node.inputs.contains(where: { name in graph.initializers[name].map { $0.dataType.isInteger && $0.doubles().allSatisfy { $0 == 0 } } ?? false })
            else {
                kept.append(node)
                continue
            }
            graph.setInitializer(output, Tensor(dataType: type.dataType, shape: shape))
            changed = true
        }
        graph.nodes = kept
        return changed
    }

    /// The fp16 quantizer stores float16 constants behind a Cast to float32; NCNN stores such
    /// weights as float16 itself, so the exporter reads them as the float32 values they widen to.
    private static func widenFloat16Weights(_ graph: inout Graph) {
        var kept: [Node] = []
        for node in graph.nodes {
            guard node.opType == "Cast", node.domain.isEmpty, case .int(let to)? = node.attributes["to"],
                  to == Int(DataType.float32.rawValue), let source = node.input(0), let half = graph.initializers[source],
                  half.dataType == .float16, let output = node.outputs.first, !graph.isInterface(output) else {
                kept.append(node)
                continue
            }
            let widened = half.elements(as: Float16.self).map { Float($0) }
            graph.setInitializer(output, Tensor(shape: half.shape, values: widened))
        }
        graph.nodes = kept
    }
}
