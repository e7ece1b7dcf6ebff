import FerryIR

/// Full-integer quantization in ONNX's QDQ form: every quantized activation passes through a
/// QuantizeLinear/DequantizeLinear pair with calibrated per-tensor parameters, weights are int8
/// per channel (symmetric, ±127) behind a DequantizeLinear, biases int32 with scale
/// input·weight. ONNX Runtime runs the result; Ferry's integer lowering and the TFLite writer
/// read the pairs as the quantization parameters of integer ops.
public struct QDQQuantizer: GraphPass {
    public let name = "quantize-qdq"
    public var options: QuantizationOptions
    /// Calibrated statistics of every float activation, by value name.
    public var statistics: [String: ActivationStatistics]

    public init(options: QuantizationOptions, statistics: [String: ActivationStatistics]) {
        self.options = options
        self.statistics = statistics
    }

    public func apply(to model: Model) throws -> Model {
        guard options.mode == .int8 || options.mode == .int16x8 else { return model }
        let type = options.activationType
        // Int16 QuantizeLinear is standard from opset 21; below it the graph carries them in the
        // default domain for Ferry's own passes, and `ContribQuantizationDomain` moves them to
        // ONNX Runtime's com.microsoft domain when an ONNX file is written.
        // Per-channel DequantizeLinear is standard from opset 13; the graph carries it at any
        // opset for Ferry's own passes and writers, and the ONNX target checks the opset it writes.
        var graph = model.graph
        try graph.sortAndVerify()
        let plan = planTensors(graph)
        var taken = Set<String>()
        var result = model

        // Weights and biases first: they become int8/int32 constants behind a DequantizeLinear.
        var quantizedConstants = Set<String>()
        // Nodes by value: inserting DequantizeLinear nodes shifts indices.
        for node in plan.nodes.sorted().map({ graph.nodes[$0] }) {
            switch QuantizationTrait.table[node.opType] {
            case .weighted(let weightIndex, let biasIndex)?:
                guard let weightName = node.input(weightIndex), let weight = graph.initializers[weightName],
                      let inputName = node.input(0), let inputParams = plan.params[inputName] else { continue }
                let axis = QuantizationTrait.weightAxis(node, weight: weight)
                let (q, scales) = try WeightQuantizer.perChannel(weight, axis: axis, bits: options.weightBits, name: weightName)
                if quantizedConstants.insert(weightName).inserted {
                    addDequantized(weightName, q, scales: scales, zeroType: .int8, axis: axis, into: &graph, taken: &taken)
                }
                // A bias holds one value per output channel along its last axis (Conv: [M]; Gemm: [M] or [1, M]).
                if let biasIndex, let biasName = node.input(biasIndex), let bias = graph.initializers[biasName],
                   bias.dataType == .float32, bias.count == scales.count, bias.shape.last == bias.count,
                   quantizedConstants.insert(biasName).inserted {
                    let (qb, biasScales) = WeightQuantizer.bias(bias.reshaped([bias.count]), inputScale: inputParams.scale, weightScales: scales)
                    addDequantized(biasName, qb.reshaped(bias.shape), scales: biasScales, zeroType: .int32, axis: bias.rank - 1, into: &graph, taken: &taken)
                }
            case .keepsScale? where isGatherOfTable(node, graph):
                let table = node.inputs[0]
                if quantizedConstants.insert(table).inserted {
                    let constant = graph.initializers[table]!
                    let params = tableParams(constant)
                    let q = quantizedTensor(constant.elements(as: Float.self), shape: constant.shape, params: params)
                    addDequantized(table, q, scales: [params.scale], zeroType: type, zeroPoints: [params.zeroPoint], axis: nil, into: &graph, taken: &taken)
                }
            case .arithmetic?:
                for input in node.inputs where graph.initializers[input]?.dataType == .float32 && quantizedConstants.insert(input).inserted {
                    let constant = graph.initializers[input]!
                    let values = constant.elements(as: Float.self)
                    let params = QuantParams.activation(lo: Double(values.min() ?? 0), hi: Double(values.max() ?? 0), type: type)
                    let q = quantizedTensor(values, shape: constant.shape, params: params)
                    addDequantized(input, q, scales: [params.scale], zeroType: type, zeroPoints: [params.zeroPoint], axis: nil, into: &graph, taken: &taken)
                }
            default:
                break
            }
        }

        // Activations: a Q/DQ pair after each producer (or graph input), readers unchanged.
        for name in plan.order {
            guard let params = plan.params[name] else { continue }
            insertPair(for: name, params, into: &graph, taken: &taken)
        }
        try graph.sortAndVerify()
        result.graph = graph
        return result
    }

    /// Values no plan of this quantizer gives parameters: the input of a Relu or Clip that alone
    /// reads a weighted or arithmetic node's output, when neither node is kept float (quantized
    /// together, the activation is fused; the mixed-precision search keeps them float together).
    /// Calibration need not measure them (`QuantizationOptions.uncalibrated`), so the runtime
    /// can compute such a Conv and its Clip as one kernel while calibrating.
    public func fusedActivationInputs(_ graph: Graph) -> Set<String> {
        let consumers = graph.consumers(), producers = graph.producers()
        var values = Set<String>()
        for node in graph.nodes where node.domain.isEmpty && QuantizationTrait.fusable.contains(node.opType) && !keptFloat(node) {
            guard let source = node.input(0), consumers[source]?.count == 1, !graph.isInterface(source),
                  let producer = producers[source].map({ graph.nodes[$0] }), producer.domain.isEmpty, !keptFloat(producer) else { continue }
            switch QuantizationTrait.table[producer.opType] {
            case .weighted?, .arithmetic?: values.insert(source)
            default: break
            }
        }
        return values
    }

    private func keptFloat(_ node: Node) -> Bool {
        options.keepFloat.contains(node.name) || node.outputs.contains(where: options.keepFloat.contains)
    }

    /// The nodes this quantizer would run in integer arithmetic, in graph order.
    public func quantizedNodes(_ graph: Graph) -> [Node] {
        var sorted = graph
        try? sorted.sortAndVerify()
        return planTensors(sorted).nodes.sorted().map { sorted.nodes[$0] }
    }

    struct Plan {
        var nodes: Set<Int> = []
        var params: [String: QuantParams] = [:]
        var order: [String] = []
    }

    /// The nodes of every erf-based GELU, x · ½(1 + erf(x / √2)): they stay float as one unit,
    /// since TFLite runs the pattern as one GELU op and has no ERF, and quantizing its Add and
    /// Mul would split it.
    func erfGeluNodes(_ graph: Graph, consumers: [String: [Int]]) -> Set<Int> {
        let producers = graph.producers()
        var nodes = Set<Int>()
        for (index, node) in graph.nodes.enumerated() where node.opType == "Erf" && node.domain.isEmpty {
            nodes.insert(index)
            if let pre = producers[node.inputs[0]], ["Div", "Mul"].contains(graph.nodes[pre].opType) { nodes.insert(pre) }
            var frontier = node.outputs
            for _ in 0..<3 {
                var next: [String] = []
                for value in frontier {
                    for reader in consumers[value] ?? [] where ["Add", "Mul"].contains(graph.nodes[reader].opType) {
                        nodes.insert(reader)
                        next += graph.nodes[reader].outputs
                        // The ½·x factor of the x·½ · (1 + erf) spelling.
                        for input in graph.nodes[reader].inputs where input != value {
                            if let half = producers[input], graph.nodes[half].opType == "Mul" { nodes.insert(half) }
                        }
                    }
                }
                frontier = next
            }
        }
        return nodes
    }

    /// Chooses the quantized nodes and the parameters of every activation they read or write.
    func planTensors(_ graph: Graph) -> Plan {
        var plan = Plan()
        let consumers = graph.consumers()
        let type = options.activationType
        func isFloatActivation(_ name: String) -> Bool {
            (statistics[name] != nil || options.uncalibrated.contains(name)) && graph.initializers[name] == nil
        }
        func keptFloat(_ node: Node) -> Bool { self.keptFloat(node) }
        for (index, node) in graph.nodes.enumerated() where node.domain.isEmpty {
            guard let trait = QuantizationTrait.table[node.opType], !keptFloat(node),
                  type != .int16 || !QuantizationTrait.noInt16Kernel.contains(node.opType),
                  node.outputs.allSatisfy({ $0.isEmpty || isFloatActivation($0) }),
                  QuantizationTrait.dataInputs(node).allSatisfy({ i in
                      guard let input = node.input(i) else { return true }
                      return isFloatActivation(input) || (trait == .arithmetic && graph.initializers[input]?.dataType == .float32)
                          || (i == 0 && isGatherOfTable(node, graph))
                  }) else { continue }
            if case .weighted(let w, _) = trait {
                guard let weight = graph.constant(node.input(w)), weight.dataType == .float32, weight.rank >= 2 else { continue }
                if node.opType == "Gemm", case .int(let transA)? = node.attributes["transA"], transA != 0 { continue }
                if node.opType == "MatMul" && weight.rank != 2 { continue }
            }
            plan.nodes.insert(index)
        }
        if options.floatErfGelu { plan.nodes.subtract(erfGeluNodes(graph, consumers: consumers)) }
        // A Relu/Clip that alone reads a weighted or arithmetic output is fused into it: the
        // intermediate is never quantized (TFLite's fused activation).
        var fused = Set<String>()
        for index in plan.nodes {
            let node = graph.nodes[index]
            guard QuantizationTrait.fusable.contains(node.opType), let source = node.input(0),
                  consumers[source]?.count == 1, !graph.isInterface(source),
                  let producer = graph.producers()[source], plan.nodes.contains(producer) else { continue }
            switch QuantizationTrait.table[graph.nodes[producer].opType] {
            case .weighted?, .arithmetic?: fused.insert(source)
            default: break
            }
        }
        let outputs = graph.outputNames
        func calibrated(_ name: String) -> QuantParams? {
            guard let stats = statistics[name] else { return nil }
            // Graph outputs keep their full range: clipping a classifier's top scores would tie them.
            let method = outputs.contains(name) ? CalibrationMethod.minmax : options.calibration
            let (lo, hi) = stats.range(method, percentile: options.percentile, type: type)
            return QuantParams.activation(lo: lo, hi: hi, type: type)
        }
        func assign(_ name: String, _ params: QuantParams?) {
            guard let params, plan.params[name] == nil, !fused.contains(name) else { return }
            plan.params[name] = params
            plan.order.append(name)
        }
        for index in plan.nodes.sorted() {
            let node = graph.nodes[index]
            for i in QuantizationTrait.dataInputs(node) {
                if let input = node.input(i), isFloatActivation(input) { assign(input, calibrated(input)) }
            }
            for output in node.outputs where !output.isEmpty {
                switch QuantizationTrait.table[node.opType]! {
                case .fixedOutput(let int8, let int16): assign(output, type == .int16 ? int16 : int8)
                case .keepsScale where isGatherOfTable(node, graph):
                    // The output holds table values exactly, so it keeps the table's parameters.
                    assign(output, tableParams(graph.initializers[node.inputs[0]]!))
                case .keepsScale: assign(output, node.input(0).flatMap { plan.params[$0] } ?? calibrated(output))
                default: assign(output, calibrated(output))
                }
            }
        }
        return plan
    }

    /// A Gather reading a float constant table, when the options quantize those.
    private func isGatherOfTable(_ node: Node, _ graph: Graph) -> Bool {
        options.quantizeGatherTables && node.opType == "Gather" && node.domain.isEmpty
            && node.input(0).flatMap { graph.initializers[$0] }?.dataType == .float32
    }

    /// Per-tensor parameters covering a constant's whole range (and zero).
    private func tableParams(_ constant: Tensor) -> QuantParams {
        let values = constant.elements(as: Float.self)
        return QuantParams.activation(lo: Double(values.min() ?? 0), hi: Double(values.max() ?? 0), type: options.activationType)
    }

    private func quantizedTensor(_ values: [Float], shape: [Int], params: QuantParams) -> Tensor {
        switch params.type {
        case .int16: return Tensor(shape: shape, values: values.map { Int16(params.quantize($0)) })
        case .uint8: return Tensor(shape: shape, values: values.map { UInt8(params.quantize($0)) })
        default: return Tensor(shape: shape, values: values.map { Int8(params.quantize($0)) })
        }
    }

    private func zeroPointTensor(_ values: [Int], type: DataType, shape: [Int]) -> Tensor {
        switch type {
        case .int16: return Tensor(shape: shape, values: values.map { Int16($0) })
        case .int32: return Tensor(shape: shape, values: values.map { Int32($0) })
        case .uint8: return Tensor(shape: shape, values: values.map { UInt8($0) })
        default: return Tensor(shape: shape, values: values.map { Int8($0) })
        }
    }

    /// Replaces constant `name` with `quantized` behind a DequantizeLinear writing `name`.
    private func addDequantized(_ name: String, _ quantized: Tensor, scales: [Float], zeroType: DataType, zeroPoints: [Int]? = nil,
                                axis: Int?, into graph: inout Graph, taken: inout Set<String>) {
        let qName = graph.freshName(name + "_quantized", avoiding: &taken)
        let sName = graph.freshName(name + "_scale", avoiding: &taken)
        let zName = graph.freshName(name + "_zero_point", avoiding: &taken)
        let shape = axis == nil ? [] : [scales.count]
        graph.setInitializer(qName, quantized)
        graph.setInitializer(sName, Tensor(shape: shape, values: scales))
        graph.setInitializer(zName, zeroPointTensor(zeroPoints ?? scales.map { _ in 0 }, type: zeroType, shape: shape))
        graph.initializers[name] = nil
        graph.initializerOrder.removeAll { $0 == name }
        graph.inputs.removeAll { $0.name == name }
        var attributes: [String: Attribute] = [:]
        if let axis { attributes["axis"] = .int(axis) }
        graph.nodes.insert(Node(name: name + "/DequantizeLinear", opType: "DequantizeLinear", inputs: [qName, sName, zName],
                                outputs: [name], attributes: attributes), at: 0)
    }

    /// Puts a Q/DQ pair on activation `name`; the dequantized value keeps the name unless the
    /// value is an integer graph input or output.
    private func insertPair(for name: String, _ params: QuantParams, into graph: inout Graph, taken: inout Set<String>) {
        let sName = graph.freshName(name + "_scale", avoiding: &taken)
        let zName = graph.freshName(name + "_zero_point", avoiding: &taken)
        graph.setInitializer(sName, Tensor(scalar: params.scale))
        graph.setInitializer(zName, zeroPointTensor([params.zeroPoint], type: params.type, shape: []))
        let isInput = graph.inputs.contains { $0.name == name }
        let isOutput = graph.outputs.contains { $0.name == name }
        let integerIO = !options.floatInputsOutputs
        if isInput {
            let dequantized = graph.freshName(name + "_dequantized", avoiding: &taken)
            graph.replaceUses(of: name, with: dequantized)
            if integerIO {
                if let index = graph.inputs.firstIndex(where: { $0.name == name }) {
                    graph.inputs[index].type?.dataType = params.type
                }
                graph.nodes.insert(Node(name: name + "/DequantizeLinear", opType: "DequantizeLinear", inputs: [name, sName, zName],
                                        outputs: [dequantized]), at: 0)
            } else {
                let quantized = graph.freshName(name + "_quantized", avoiding: &taken)
                graph.nodes.insert(contentsOf: [
                    Node(name: name + "/QuantizeLinear", opType: "QuantizeLinear", inputs: [name, sName, zName], outputs: [quantized]),
                    Node(name: name + "/DequantizeLinear", opType: "DequantizeLinear", inputs: [quantized, sName, zName], outputs: [dequantized]),
                ], at: 0)
            }
            return
        }
        let float = graph.freshName(name + "_float", avoiding: &taken)
        if isOutput && integerIO {
            graph.rename(name, to: float)   // the producer now writes `float`
            // The int8 value is the graph output `name`; readers inside read its dequantized copy.
            let dequantized = graph.freshName(name + "_dequantized", avoiding: &taken)
            graph.replaceUses(of: float, with: dequantized)
            for index in graph.outputs.indices where graph.outputs[index].name == dequantized {
                graph.outputs[index].name = name
                graph.outputs[index].type = graph.outputs[index].type.map { ValueType(dataType: params.type, shape: $0.shape) }
            }
            graph.nodes.append(Node(name: name + "/QuantizeLinear", opType: "QuantizeLinear", inputs: [float, sName, zName], outputs: [name]))
            graph.nodes.append(Node(name: name + "/DequantizeLinear", opType: "DequantizeLinear", inputs: [name, sName, zName], outputs: [dequantized]))
            return
        }
        let quantized = graph.freshName(name + "_quantized", avoiding: &taken)
        // The producer now writes `float`; readers (and the graph output) read the dequantized
        // value, named as before.
        graph.renameProducedValue(name, to: float)
        graph.nodes.append(Node(name: name + "/QuantizeLinear", opType: "QuantizeLinear", inputs: [float, sName, zName], outputs: [quantized]))
        graph.nodes.append(Node(name: name + "/DequantizeLinear", opType: "DequantizeLinear", inputs: [quantized, sName, zName], outputs: [name]))
    }
}
