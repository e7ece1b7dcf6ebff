import FerryIR

/// Weight-only quantization of MatMul and Gemm weights in blocks along the reduction axis
/// (K): int4 or int8 values, symmetric, one float scale per block of `blockSize` values of
/// each output column, activations float. This is what ONNX Runtime's block quantizers do for
/// transformer and LLM weights.
///
/// From opset 21 the result is standard ONNX: a blocked DequantizeLinear (`axis`,
/// `block_size`, int4/int8 values) feeding the op. Below opset 21, where DequantizeLinear has
/// neither blocks nor int4, the op becomes ONNX Runtime's com.microsoft MatMulNBits (values
/// packed low bits first, unsigned with the implicit zero point 2^(bits−1)), plus an Add for a
/// Gemm's bias: what ONNX Runtime's own MatMul 4-bit quantizer writes.
public struct BlockWeightQuantizer: GraphPass {
    public let name = "quantize-weights-blockwise"
    public var bits: Int
    public var blockSize: Int
    public var keepFloat: Set<String>
    /// Weights with fewer values stay float.
    public var minimumElements: Int

    public init(bits: Int, blockSize: Int, keepFloat: Set<String> = [], minimumElements: Int = 64) {
        self.bits = bits
        self.blockSize = blockSize
        self.keepFloat = keepFloat
        self.minimumElements = minimumElements
    }

    public func apply(to model: Model) throws -> Model {
        guard bits == 4 || bits == 8 else { throw PassError.invalidOption("block weight quantization takes 4 or 8 bits, got \(bits)") }
        guard blockSize >= 16, blockSize & (blockSize - 1) == 0 else {
            throw PassError.invalidOption("--block-size \(blockSize): expected a power of two ≥ 16 (ONNX Runtime's MatMulNBits)")
        }
        var graph = model.graph
        var taken = Set<String>()
        let standard = model.opset >= 21
        var rewritten: [Node] = []
        var quantizedAny = false
        for node in graph.nodes {
            guard node.domain.isEmpty, !isKept(node), let (weight, transposed, bias) = candidate(node, graph) else {
                rewritten.append(node)
                continue
            }
            // The weight as K × N.
            let kn = transposed ? weight.transposed([1, 0]) : weight
            let (k, n) = (kn.shape[0], kn.shape[1])
            let (q, scales) = quantize(kn.elements(as: Float.self), k: k, n: n)
            let weightName = node.inputs[1]
            let output = node.outputs[0]
            quantizedAny = true
            if standard {
                let qName = graph.freshName(weightName + "_blocks", avoiding: &taken)
                let sName = graph.freshName(weightName + "_scale", avoiding: &taken)
                let zName = graph.freshName(weightName + "_zero_point", avoiding: &taken)
                let dqName = graph.freshName(weightName + "_dequantized", avoiding: &taken)
                let type: DataType = bits == 4 ? .int4 : .int8
                let values = Tensor(dataType: type, shape: [k, n], zeroed: false)
                values.storage.bytes.withMemoryRebound(to: Int8.self, capacity: k * n) { p in
                    for i in 0..<(k * n) { p[i] = q[i] }
                }
                let blocks = (k + blockSize - 1) / blockSize
                graph.setInitializer(qName, values)
                graph.setInitializer(sName, Tensor(shape: [blocks, n], values: scales))
                graph.setInitializer(zName, Tensor(dataType: type, shape: [blocks, n]))
                rewritten.append(Node(name: node.name + "/DequantizeLinear", opType: "DequantizeLinear", inputs: [qName, sName, zName],
                                      outputs: [dqName], attributes: ["axis": .int(0), "block_size": .int(blockSize)]))
                var replaced = node
                replaced.inputs[1] = dqName
                if node.opType == "Gemm" { replaced.attributes["transB"] = nil }
                rewritten.append(replaced)
            } else {
                let bName = graph.freshName(weightName + "_nbits", avoiding: &taken)
                let sName = graph.freshName(weightName + "_scales", avoiding: &taken)
                let (packed, blocks, blob) = pack(q, k: k, n: n)
                graph.setInitializer(bName, Tensor(shape: [n, blocks, blob], values: packed))
                // MatMulNBits orders scales by output row, then block.
                var rowScales = [Float](repeating: 0, count: n * blocks)
                for b in 0..<blocks { for col in 0..<n { rowScales[col * blocks + b] = scales[b * n + col] } }
                graph.setInitializer(sName, Tensor(shape: [n * blocks], values: rowScales))
                let product = bias == nil ? output : graph.freshName(output + "_matmul", avoiding: &taken)
                rewritten.append(Node(name: node.name, opType: "MatMulNBits", domain: "com.microsoft", inputs: [node.inputs[0], bName, sName],
                                      outputs: [product], attributes: ["K": .int(k), "N": .int(n), "bits": .int(bits),
                                                                       "block_size": .int(blockSize)]))
                if let bias {
                    rewritten.append(Node(name: node.name + "/bias", opType: "Add", inputs: [product, bias], outputs: [output]))
                }
            }
        }
        guard quantizedAny else { return model }
        graph.nodes = rewritten
        // Weights no node reads any more go.
        let used = Set(graph.nodes.flatMap(\.inputs)).union(graph.outputs.map(\.name))
        for name in graph.initializerOrder where !used.contains(name) && !graph.inputs.contains(where: { $0.name == name }) {
            graph.initializers[name] = nil
        }
        graph.initializerOrder.removeAll { graph.initializers[$0] == nil }
        try graph.sortAndVerify()
        var result = model
        result.graph = graph
        if !standard && result.opsets["com.microsoft"] == nil { result.opsets["com.microsoft"] = 1 }
        return result
    }

    /// A MatMul with a 2-D float constant weight, or a plain Gemm (no transA, alpha = beta = 1):
    /// the weight, whether it is stored N × K, and the Gemm's bias.
    private func candidate(_ node: Node, _ graph: Graph) -> (Tensor, Bool, String?)? {
        guard node.opType == "MatMul" || node.opType == "Gemm", let name = node.input(1),
              let weight = graph.initializers[name], weight.dataType == .float32, weight.rank == 2,
              weight.count >= minimumElements, let x = node.input(0), graph.initializers[x] == nil else { return nil }
        if node.opType == "MatMul" { return (weight, false, nil) }
        var transB = false
        for (key, value) in node.attributes {
            switch (key, value) {
            case ("alpha", .float(1)), ("beta", .float(1)), ("transA", .int(0)): continue
            case ("transB", .int(let t)): transB = t != 0
            default: return nil
            }
        }
        let bias = node.input(2)
        if let bias, let c = graph.initializers[bias], c.count != (transB ? weight.shape[0] : weight.shape[1]) { return nil }
        return (weight, transB, bias)
    }

    /// Symmetric values in [−qmax, qmax] (K × N, row-major) and one scale per block and column
    /// ([blocks, N]): the block's largest magnitude over qmax.
    func quantize(_ w: [Float], k: Int, n: Int) -> ([Int8], [Float]) {
        let qmax = Float((1 << (bits - 1)) - 1)
        let blocks = (k + blockSize - 1) / blockSize
        var q = [Int8](repeating: 0, count: k * n)
        var scales = [Float](repeating: 1, count: blocks * n)
        for b in 0..<blocks {
            let rows = (b * blockSize)..<min(k, (b + 1) * blockSize)
            for col in 0..<n {
                var absMax: Float = 0
                for row in rows { absMax = max(absMax, abs(w[row * n + col])) }
                let scale = absMax > 0 ? absMax / qmax : 1
                scales[b * n + col] = scale
                for row in rows {
                    q[row * n + col] = Int8(max(-qmax, min(qmax, (w[row * n + col] / scale).rounded(.toNearestOrEven))))
                }
            }
        }
        return (q, scales)
    }

    /// MatMulNBits' B: per output column, per block, `blockSize` values offset by 2^(bits−1)
    /// and packed low bits first (zeros past K).
    func pack(_ q: [Int8], k: Int, n: Int) -> ([UInt8], Int, Int) {
        let blocks = (k + blockSize - 1) / blockSize
        let blob = blockSize * bits / 8
        let perByte = 8 / bits
        let offset = 1 << (bits - 1)
        var packed = [UInt8](repeating: 0, count: n * blocks * blob)
        for col in 0..<n {
            for b in 0..<blocks {
                let base = (col * blocks + b) * blob
                for i in 0..<blockSize {
                    let row = b * blockSize + i
                    // Past K the value is the zero point: it adds nothing.
                    let u = row < k ? Int(q[row * n + col]) + offset : offset
                    packed[base + i / perByte] |= UInt8(u << ((i % perByte) * bits))
                }
            }
        }
        return (packed, blocks, blob)
    }

    private func isKept(_ node: Node) -> Bool {
        keepFloat.contains(node.name) || node.outputs.contains(where: keepFloat.contains)
    }
}
