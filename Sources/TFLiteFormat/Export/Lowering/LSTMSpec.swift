import FerryIR

/// An ONNX LSTM's attributes and constant weights, read once for either TFLite form.
struct LSTMSpec {
    /// One direction's weights, gates in ONNX order i, o, f, c.
    struct Direction {
        var reverse: Bool
        var w: [Float]       // [4H, I]
        var r: [Float]       // [4H, H]
        var bias: [Float]    // [4H]: input and recurrent biases summed
        var peepholes: [Float]?  // [3H]: i, o, f
    }

    var hidden: Int
    var inputSize: Int
    var steps: Int
    var batch: Int
    /// layout = 1: X is [batch, seq, input], Y [batch, seq, dirs, H], states [batch, dirs, H].
    var batchMajor: Bool
    var directions: [Direction]
    /// Gate pre-activations are clipped to [-clip, clip].
    var clip: Float?

    init(_ node: Node, emitter e: TFLiteEmitter) throws {
        let attributes = NodeAttributes(exporting: node)
        let direction = try attributes.string("direction", default: "forward")
        guard ["forward", "reverse", "bidirectional"].contains(direction) else { throw e.unsupported(node, "direction '\(direction)'") }
        let count = direction == "bidirectional" ? 2 : 1
        if let activations = try attributes.strings("activations"),
           activations.map({ $0.lowercased() }) != Array(repeating: ["sigmoid", "tanh", "tanh"], count: count).flatMap({ $0 }) {
            throw e.unsupported(node, "activations \(activations): TFLite's LSTM forms use sigmoid gates and tanh")
        }
        guard try attributes.int("input_forget", default: 0) == 0 else { throw e.unsupported(node, "input_forget (coupled input and forget gates)") }
        clip = try attributes.float("clip")
        batchMajor = try attributes.int("layout", default: 0) == 1
        let xShape = try e.shape(node.inputs[0])
        guard xShape.count == 3 else { throw e.unsupported(node, "input of rank \(xShape.count)") }
        (steps, batch) = batchMajor ? (xShape[1], xShape[0]) : (xShape[0], xShape[1])
        guard steps > 0 else { throw e.unsupported(node, "an empty sequence") }
        let w = try e.constantInput(node, 1), r = try e.constantInput(node, 2)
        guard w.rank == 3, r.rank == 3, w.shape[0] == count, r.shape[0] == count, w.shape[1] == 4 * r.shape[2], r.shape[1] == w.shape[1] else {
            throw e.unsupported(node, "weights of shape \(w.shape), \(r.shape) for \(count) direction(s)")
        }
        hidden = r.shape[2]
        inputSize = w.shape[2]
        guard inputSize == xShape[2] else { throw e.unsupported(node, "W of \(inputSize) inputs for X of shape \(xShape)") }
        let h = hidden
        let wv = try e.floats(w, node), rv = try e.floats(r, node)
        var bias = [Float](repeating: 0, count: count * 8 * h)
        if node.input(3) != nil { bias = try e.floats(try e.constantInput(node, 3), node) }
        guard bias.count == count * 8 * h else { throw e.unsupported(node, "bias of \(bias.count) values") }
        var peepholes: [Float]?
        if node.input(7) != nil {
            let p = try e.floats(try e.constantInput(node, 7), node)
            guard p.count == count * 3 * h else { throw e.unsupported(node, "peepholes of \(p.count) values") }
            peepholes = p
        }
        if let lengths = node.input(4) {
            let full = steps
            guard let constant = e.constants[lengths], constant.integers().allSatisfy({ $0 == full }) else {
                throw e.unsupported(node, "sequence_lens other than the full length")
            }
        }
        let columns = inputSize
        directions = (0..<count).map { d in
            let b = Array(bias[d * 8 * h..<(d + 1) * 8 * h])
            return Direction(reverse: direction == "reverse" || d == 1,
                             w: Array(wv[d * 4 * h * columns..<(d + 1) * 4 * h * columns]),
                             r: Array(rv[d * 4 * h * h..<(d + 1) * 4 * h * h]),
                             bias: (0..<4 * h).map { b[$0] + b[4 * h + $0] },
                             peepholes: peepholes.map { Array($0[d * 3 * h..<(d + 1) * 3 * h]) })
        }
    }
}
