import FerryIR

extension NCNNEmitter {
    /// Gemm with a constant B (transA 0) → InnerProduct.
    func lowerGemm(_ node: Node) throws {
        guard let a = node.input(0), let bName = node.input(1) else { throw unsupported(node, "A or B is missing") }
        let attributes = NodeAttributes(exporting: node)
        guard try attributes.int("transA", default: 0) == 0 else { throw unsupported(node, "transA=1 (NCNN's InnerProduct reads rows of A)") }
        let transB = try attributes.int("transB", default: 0) != 0
        let alpha = try attributes.float("alpha", default: 1), beta = try attributes.float("beta", default: 1)
        let b = try constantInput(node, 1)
        guard b.rank == 2 else { throw unsupported(node, "B of rank \(b.rank)") }
        let n = transB ? b.shape[0] : b.shape[1]
        var bias: [Float]?
        if let cName = node.input(2) {
            let c = try constantInput(node, 2)
            guard c.count == n || c.count == 1 else { throw unsupported(node, "C of shape \(c.shape) is not one value per output (\(n))") }
            let values = try floats(c, cName).map { $0 * beta }
            bias = c.count == n ? values : Array(repeating: values[0], count: n)
        }
        try lowerInnerProduct(node, input: a, weightName: bName, weight: b, transposed: !transB, alpha: alpha, bias: bias, output: node.outputs[0])
    }

    /// MatMul with a constant 2-D B → InnerProduct (and a following Add of one value per
    /// output becomes its bias); two computed operands → MatMul.
    func lowerMatMul(_ node: Node) throws {
        guard let a = node.input(0), let bName = node.input(1) else { throw unsupported(node, "A or B is missing") }
        guard let b = constants[bName] else { return try lowerRuntimeMatMul(node) }
        guard b.rank == 2 else { throw unsupported(node, "a constant B of rank \(b.rank); only 2-D weights map to InnerProduct") }
        guard constants[a] == nil else { throw unsupported(node, "A is constant and B computed") }
        let n = b.shape[1]
        var output = node.outputs[0]
        var bias: [Float]?
        if let (index, add, passed) = soleConsumerSkippingIdentity(output), add.opType == "Add", add.domain.isEmpty, add.inputs.count == 2 {
            let other = add.inputs[0] == lastSkipped(output, to: add) ? add.inputs[1] : add.inputs[0]
            if let c = constants[other], c.count == n, c.shape.last == n, let outShape = shapes[add.outputs[0]], outShape == shapes[output] {
                bias = try floats(c, other)
                output = add.outputs[0]
                absorbed.insert(index)
                absorbed.formUnion(passed)
            }
        }
        try lowerInnerProduct(node, input: a, weightName: bName, weight: b, transposed: true, alpha: 1, bias: bias, output: output)
    }

    /// The value `add` reads on the path from `value` (through Identity nodes).
    private func lastSkipped(_ value: String, to add: Node) -> String {
        var current = value
        while !add.inputs.contains(current), let readers = consumers[current], readers.count == 1,
              graph.nodes[readers[0]].opType == "Identity" {
            current = graph.nodes[readers[0]].outputs[0]
        }
        return current
    }

    /// InnerProduct of `input`'s rows with `weight` ([N, K], or [K, N] when `transposed`).
    func lowerInnerProduct(_ node: Node, input: String, weightName: String, weight: Tensor, transposed: Bool, alpha: Float,
                           bias: [Float]?, output value: String) throws {
        let k = transposed ? weight.shape[0] : weight.shape[1], n = transposed ? weight.shape[1] : weight.shape[0]
        let aShape = try shape(input)
        guard aShape.last == k else { throw unsupported(node, "A of shape \(aShape) does not end in K=\(k)") }
        let rows = aShape.dropLast().reduce(1, *)
        var values = try floats(weight, weightName)
        if transposed { values = Self.transpose(values, rows: k, columns: n) }
        if alpha != 1 { values = values.map { $0 * alpha } }
        var params: [Int: NCNNParamValue] = [0: .int(n), 1: .int(bias == nil ? 0 : 1), 2: .int(n * k)]
        let activation = try fuseActivation(after: value)
        if let activation { params.merge(activation.layerParams) { $1 } }
        let output = activation?.output ?? value

        var int8: ([Int8], [Float], NCNNQuantizationPlan.Activation)?
        if mode == .int8, alpha == 1, let q = quantization.weights[weightName], let act = quantization.activations[input],
           q.scales.count == n, q.axis == (transposed ? 1 : 0) {
            int8 = (transposed ? Self.transpose(q.values, rows: k, columns: n) : q.values, q.scales.map { $0 > 0 ? 1 / $0 : 1 }, act)
            params[8] = .int(1)
        }
        let inShape = rows == 1 ? [k] : [rows, k]
        let outShape = rows == 1 ? [n] : [rows, n]
        let blob = newBlob(output)
        try emit("InnerProduct", name: node.name.isEmpty ? output : node.name, inputs: [try self.blob(input, shape: inShape)],
                 outputs: [blob], params: params) { w in
            if let (q, scales, act) = int8 {
                w.appendInt8(q)
                if let bias { w.append(bias, .rawFloat32) }
                w.append(scales, .rawFloat32)
                w.append([act.ncnnScale], .rawFloat32)
            } else {
                self.appendWeight(values, into: &w)
                if let bias { w.append(bias, .rawFloat32) }
            }
        }
        if int8 != nil { int8Layers.append(layers.last!.name) }
        define(output, blob: blob, shape: outShape)
    }

    /// A·B of two computed values with the same batch dimensions → NCNN MatMul.
    func lowerRuntimeMatMul(_ node: Node) throws {
        let (a, b, output) = (node.inputs[0], node.inputs[1], node.outputs[0])
        let aShape = try shape(a), bShape = try shape(b), outShape = try shape(output)
        guard aShape.count == bShape.count, aShape.count >= 2, aShape.dropLast(2) == bShape.dropLast(2) else {
            throw unsupported(node, "operands \(aShape) and \(bShape): NCNN's MatMul is mapped for equal batch dimensions only")
        }
        let batch = Array(aShape.dropLast(2)).filter { $0 != 1 }
        guard batch.count <= 2 else { throw unsupported(node, "more than 2 batch dimensions") }
        let aView = batch + Array(aShape.suffix(2)), bView = batch + Array(bShape.suffix(2)), outView = batch + Array(outShape.suffix(2))
        let blob = newBlob(output)
        try emit("MatMul", name: node.name.isEmpty ? output : node.name,
                 inputs: [try self.blob(a, shape: aView), try self.blob(b, shape: bView)], outputs: [blob])
        define(output, blob: blob, shape: outView)
    }

    static func transpose<T>(_ values: [T], rows: Int, columns: Int) -> [T] {
        var result = values
        for r in 0..<rows {
            for c in 0..<columns { result[c * rows + r] = values[r * columns + c] }
        }
        return result
    }
}
