import FerryIR

extension NCNNEmitter {
    /// The exact GELU exporters spell with Erf: x · 0.5 · (1 + erf(x / √2)) (Div by √2 or Mul by
    /// 1/√2; the 0.5 on either side). Returns the nodes it covers, x and the output.
    func matchErfGelu(erfIndex: Int) -> (nodes: [Int], x: String, output: String)? {
        let producers = graph.producers()
        let erf = graph.nodes[erfIndex]
        func constant(_ name: String) -> Float? {
            guard let c = constants[name], c.count == 1, let v = try? floats(c, name) else { return nil }
            return v[0]
        }
        func other(_ node: Node, _ name: String) -> String? {
            guard node.inputs.count == 2 else { return nil }
            return node.inputs[0] == name ? node.inputs[1] : node.inputs[1] == name ? node.inputs[0] : nil
        }
        func close(_ a: Float?, _ b: Float) -> Bool { a.map { abs($0 - b) <= 1e-4 * abs(b) } ?? false }
        guard let scaledName = erf.input(0), let scaledIndex = producers[scaledName] else { return nil }
        let scaled = graph.nodes[scaledIndex]
        let x: String
        if scaled.opType == "Div", close(constant(scaled.inputs[1]), Float(2).squareRoot()) { x = scaled.inputs[0] }
        else if scaled.opType == "Mul", let o = other(scaled, scaled.inputs[0]), close(constant(o), Float(0.5).squareRoot()) { x = scaled.inputs[0] }
        else if scaled.opType == "Mul", let o = other(scaled, scaled.inputs[1]), close(constant(o), Float(0.5).squareRoot()) { x = scaled.inputs[1] }
        else { return nil }
        guard let (addIndex, add) = soleConsumer(erf.outputs[0]), add.opType == "Add",
              let one = other(add, erf.outputs[0]), close(constant(one), 1) else { return nil }
        guard let (m1Index, m1) = soleConsumer(add.outputs[0]), m1.opType == "Mul", let m1Other = other(m1, add.outputs[0]),
              let (m2Index, m2) = soleConsumer(m1.outputs[0]), m2.opType == "Mul", let m2Other = other(m2, m1.outputs[0]) else { return nil }
        let halfFirst = close(constant(m1Other), 0.5) && m2Other == x
        let xFirst = m1Other == x && close(constant(m2Other), 0.5)
        guard halfFirst || xFirst, soleConsumer(scaled.outputs[0]) != nil else { return nil }
        return ([scaledIndex, erfIndex, addIndex, m1Index, m2Index], x, m2.outputs[0])
    }

    func emitGelu(x: String, output: String, name: String) throws {
        let shape = try layout(output).shape
        let blob = newBlob(output)
        try emit("GELU", name: name, inputs: [try self.blob(x, shape: shape)], outputs: [blob], params: [0: .int(0)])
        define(output, blob: blob, shape: shape)
    }
}
