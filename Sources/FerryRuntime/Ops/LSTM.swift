import FerryIR

/// LSTM: the ONNX long short-term memory layer (gates i, o, f, c), forward, reverse or
/// bidirectional, with peepholes, clip, coupled input-forget gate, sequence lengths and both layouts.
struct LSTM: Operator {
    static let opType = "LSTM"
    let attributes: RecurrentAttributes
    let inputForget: Bool

    init(_ node: NodeContext) throws {
        attributes = try RecurrentAttributes(node, defaults: ["Sigmoid", "Tanh", "Tanh"])
        inputForget = try node.int("input_forget", default: 0) != 0
    }

    func run(_ inputs: [Tensor?], _ context: ExecutionContext) throws -> [Tensor] {
        try computingInFloat32(inputs) { inputs in
            try requireFloat32(inputs, [0: "X", 1: "W", 2: "R", 3: "B", 5: "initial_h", 6: "initial_c", 7: "P"])
            let a = attributes, h = a.hiddenSize, dirs = a.directions
            let (x, seq, batch, inputSize) = try a.sequenceMajor(try inputs.required(0))
            let w = try inputs.required(1), r = try inputs.required(2)
            guard w.shape == [dirs, 4 * h, inputSize], r.shape == [dirs, 4 * h, h] else {
                throw KernelError("W \(w.shape) or R \(r.shape) do not fit \(dirs) direction(s), hidden \(h), input \(inputSize)")
            }
            let bias = inputs.optional(3)?.elements(as: Float.self) ?? [Float](repeating: 0, count: dirs * 8 * h)
            let lengths = inputs.optional(4)?.integers() ?? [Int](repeating: seq, count: batch)
            try a.check(bias: inputs.optional(3), count: dirs * 8 * h, lengths: lengths, batch: batch, states: [inputs.optional(5), inputs.optional(6)])
            var hState = a.initialState(inputs.optional(5), batch: batch)
            var cState = a.initialState(inputs.optional(6), batch: batch)
            let peep = inputs.optional(7)?.elements(as: Float.self) ?? [Float](repeating: 0, count: dirs * 3 * h)
            guard peep.count == dirs * 3 * h else { throw KernelError("P has \(peep.count) values; \(dirs * 3 * h) expected") }
            var y = [Float](repeating: 0, count: seq * dirs * batch * h)
            let ws = w.elements(as: Float.self), rs = r.elements(as: Float.self)
            var gx = [Float](repeating: 0, count: 4 * h), gh = [Float](repeating: 0, count: 4 * h)
            let f = { (d: Int) in a.activations[d * 3] }, g = { (d: Int) in a.activations[d * 3 + 1] }, hAct = { (d: Int) in a.activations[d * 3 + 2] }
            ws.withUnsafeBufferPointer { wp in rs.withUnsafeBufferPointer { rp in x.withUnsafeBufferPointer { xp in
                for d in 0..<dirs {
                    for b in 0..<batch {
                        let length = min(lengths[b], seq)
                        for t in a.steps(direction: d, length: length) {
                            let stateOffset = (d * batch + b) * h
                            matrixVector(wp, rowOffset: d * 4 * h * inputSize, rows: 4 * h, columns: inputSize, xp, vOffset: (t * batch + b) * inputSize, into: &gx)
                            let hPrev = Array(hState[stateOffset..<(stateOffset + h)])
                            hPrev.withUnsafeBufferPointer { hp in
                                matrixVector(rp, rowOffset: d * 4 * h * h, rows: 4 * h, columns: h, hp, vOffset: 0, into: &gh)
                            }
                            for j in 0..<h {
                                func gate(_ k: Int) -> Float { gx[k * h + j] + gh[k * h + j] + bias[d * 8 * h + k * h + j] + bias[d * 8 * h + 4 * h + k * h + j] }
                                let cPrev = cState[stateOffset + j]
                                let i = f(d)(a.clipped(gate(0) + peep[d * 3 * h + j] * cPrev))
                                let forget = inputForget ? 1 - i : f(d)(a.clipped(gate(2) + peep[d * 3 * h + 2 * h + j] * cPrev))
                                let candidate = g(d)(a.clipped(gate(3)))
                                let c = forget * cPrev + i * candidate
                                let o = f(d)(a.clipped(gate(1) + peep[d * 3 * h + h + j] * c))
                                let hNew = o * hAct(d)(c)
                                cState[stateOffset + j] = c
                                hState[stateOffset + j] = hNew
                                y[((t * dirs + d) * batch + b) * h + j] = hNew
                            }
                        }
                    }
                }
            }}}
            return [a.outputY(y, seq: seq, batch: batch), a.outputState(hState, batch: batch), a.outputState(cState, batch: batch)]
        }
    }
}
