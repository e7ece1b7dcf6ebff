import FerryIR

/// RNN: the ONNX simple recurrent layer, Ht = f(Xt·Wᵀ + Ht−1·Rᵀ + Wb + Rb).
struct RNN: Operator {
    static let opType = "RNN"
    let attributes: RecurrentAttributes

    init(_ node: NodeContext) throws { attributes = try RecurrentAttributes(node, defaults: ["Tanh"]) }

    func run(_ inputs: [Tensor?], _ context: ExecutionContext) throws -> [Tensor] {
        try computingInFloat32(inputs) { inputs in
            try requireFloat32(inputs, [0: "X", 1: "W", 2: "R", 3: "B", 5: "initial_h"])
            let a = attributes, h = a.hiddenSize, dirs = a.directions
            let (x, seq, batch, inputSize) = try a.sequenceMajor(try inputs.required(0))
            let w = try inputs.required(1), r = try inputs.required(2)
            guard w.shape == [dirs, h, inputSize], r.shape == [dirs, h, h] else {
                throw KernelError("W \(w.shape) or R \(r.shape) do not fit \(dirs) direction(s), hidden \(h), input \(inputSize)")
            }
            let bias = inputs.optional(3)?.elements(as: Float.self) ?? [Float](repeating: 0, count: dirs * 2 * h)
            let lengths = inputs.optional(4)?.integers() ?? [Int](repeating: seq, count: batch)
            try a.check(bias: inputs.optional(3), count: dirs * 2 * h, lengths: lengths, batch: batch, states: [inputs.optional(5)])
            var hState = a.initialState(inputs.optional(5), batch: batch)
            var y = [Float](repeating: 0, count: seq * dirs * batch * h)
            let ws = w.elements(as: Float.self), rs = r.elements(as: Float.self)
            var gx = [Float](repeating: 0, count: h), gh = [Float](repeating: 0, count: h)
            ws.withUnsafeBufferPointer { wp in rs.withUnsafeBufferPointer { rp in x.withUnsafeBufferPointer { xp in
                for d in 0..<dirs {
                    let f = a.activations[d]
                    for b in 0..<batch {
                        for t in a.steps(direction: d, length: min(lengths[b], seq)) {
                            let so = (d * batch + b) * h
                            matrixVector(wp, rowOffset: d * h * inputSize, rows: h, columns: inputSize, xp, vOffset: (t * batch + b) * inputSize, into: &gx)
                            let hPrev = Array(hState[so..<(so + h)])
                            hPrev.withUnsafeBufferPointer { hp in matrixVector(rp, rowOffset: d * h * h, rows: h, columns: h, hp, vOffset: 0, into: &gh) }
                            for j in 0..<h {
                                let v = f(a.clipped(gx[j] + gh[j] + bias[d * 2 * h + j] + bias[d * 2 * h + h + j]))
                                hState[so + j] = v
                                y[((t * dirs + d) * batch + b) * h + j] = v
                            }
                        }
                    }
                }
            }}}
            return [a.outputY(y, seq: seq, batch: batch), a.outputState(hState, batch: batch)]
        }
    }
}
