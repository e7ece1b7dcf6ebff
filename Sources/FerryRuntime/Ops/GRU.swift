import FerryIR

/// GRU: the ONNX gated recurrent unit (gates z, r, h), with linear_before_reset, clip,
/// sequence lengths, both layouts and all three directions.
struct GRU: Operator {
    static let opType = "GRU"
    let attributes: RecurrentAttributes
    let linearBeforeReset: Bool

    init(_ node: NodeContext) throws {
        attributes = try RecurrentAttributes(node, defaults: ["Sigmoid", "Tanh"])
        linearBeforeReset = try node.int("linear_before_reset", default: 0) != 0
    }

    func run(_ inputs: [Tensor?], _ context: ExecutionContext) throws -> [Tensor] {
        try computingInFloat32(inputs) { inputs in
            try requireFloat32(inputs, [0: "X", 1: "W", 2: "R", 3: "B", 5: "initial_h"])
            let a = attributes, h = a.hiddenSize, dirs = a.directions
            let (x, seq, batch, inputSize) = try a.sequenceMajor(try inputs.required(0))
            let w = try inputs.required(1), r = try inputs.required(2)
            guard w.shape == [dirs, 3 * h, inputSize], r.shape == [dirs, 3 * h, h] else {
                throw KernelError("W \(w.shape) or R \(r.shape) do not fit \(dirs) direction(s), hidden \(h), input \(inputSize)")
            }
            let bias = inputs.optional(3)?.elements(as: Float.self) ?? [Float](repeating: 0, count: dirs * 6 * h)
            let lengths = inputs.optional(4)?.integers() ?? [Int](repeating: seq, count: batch)
            try a.check(bias: inputs.optional(3), count: dirs * 6 * h, lengths: lengths, batch: batch, states: [inputs.optional(5)])
            var hState = a.initialState(inputs.optional(5), batch: batch)
            var y = [Float](repeating: 0, count: seq * dirs * batch * h)
            let ws = w.elements(as: Float.self), rs = r.elements(as: Float.self)
            var gx = [Float](repeating: 0, count: 3 * h), gh = [Float](repeating: 0, count: 3 * h)
            ws.withUnsafeBufferPointer { wp in rs.withUnsafeBufferPointer { rp in x.withUnsafeBufferPointer { xp in
                for d in 0..<dirs {
                    let f = a.activations[d * 2], g = a.activations[d * 2 + 1]
                    let wb = d * 6 * h, rb = wb + 3 * h
                    for b in 0..<batch {
                        let length = min(lengths[b], seq)
                        for t in a.steps(direction: d, length: length) {
                            let so = (d * batch + b) * h
                            matrixVector(wp, rowOffset: d * 3 * h * inputSize, rows: 3 * h, columns: inputSize, xp, vOffset: (t * batch + b) * inputSize, into: &gx)
                            let hPrev = Array(hState[so..<(so + h)])
                            hPrev.withUnsafeBufferPointer { hp in
                                matrixVector(rp, rowOffset: d * 3 * h * h, rows: 3 * h, columns: h, hp, vOffset: 0, into: &gh)
                            }
                            var z = [Float](repeating: 0, count: h), reset = [Float](repeating: 0, count: h)
                            for j in 0..<h {
                                z[j] = f(a.clipped(gx[j] + gh[j] + bias[wb + j] + bias[rb + j]))
                                reset[j] = f(a.clipped(gx[h + j] + gh[h + j] + bias[wb + h + j] + bias[rb + h + j]))
                            }
                            var candidate = [Float](repeating: 0, count: h)
                            if linearBeforeReset {
                                for j in 0..<h {
                                    candidate[j] = g(a.clipped(gx[2 * h + j] + bias[wb + 2 * h + j] + reset[j] * (gh[2 * h + j] + bias[rb + 2 * h + j])))
                                }
                            } else {
                                let gated = (0..<h).map { reset[$0] * hPrev[$0] }
                                var hr = [Float](repeating: 0, count: h)
                                gated.withUnsafeBufferPointer { gp in
                                    matrixVector(rp, rowOffset: d * 3 * h * h + 2 * h * h, rows: h, columns: h, gp, vOffset: 0, into: &hr)
                                }
                                for j in 0..<h { candidate[j] = g(a.clipped(gx[2 * h + j] + hr[j] + bias[wb + 2 * h + j] + bias[rb + 2 * h + j])) }
                            }
                            for j in 0..<h {
                                let hNew = (1 - z[j]) * candidate[j] + z[j] * hPrev[j]
                                hState[so + j] = hNew
                                y[((t * dirs + d) * batch + b) * h + j] = hNew
                            }
                        }
                    }
                }
            }}}
            return [a.outputY(y, seq: seq, batch: batch), a.outputState(hState, batch: batch)]
        }
    }
}
