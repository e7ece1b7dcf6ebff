import FerryIR

/// A 1-D Conv (audio front ends, TCNs) runs as TFLite's 2-D one over a height of 1: its
/// [N, C, L] input is stored as N·L·C (layout [0, 2, 1]) and read as N×1×L×C through a free
/// RESHAPE; the output comes back the same way.
extension TFLiteEmitter {
    /// The NCHW shape a windowed op sees: a rank-3 input is [N, C, 1, L].
    func windowShape(_ name: String, _ node: Node) throws -> [Int] {
        let shape = try self.shape(name)
        switch shape.count {
        case 4: return shape
        case 3: return [shape[0], shape[1], 1, shape[2]]
        default: throw unsupported(node, "only 1-D and 2-D convolutions (rank-3 or rank-4 input) map to CONV_2D; this one has rank \(shape.count)")
        }
    }

    /// A Conv weight as 2-D: [O, I, K] becomes [O, I, 1, K].
    func windowWeight(_ weight: Tensor, _ node: Node) throws -> Tensor {
        switch weight.rank {
        case 4: return weight
        case 3: return weight.reshaped([weight.shape[0], weight.shape[1], 1, weight.shape[2]])
        default: throw unsupported(node, "weight of rank \(weight.rank)")
        }
    }

    /// The NHWC tensor of a windowed op's input and its NCHW shape (`windowShape`).
    func windowTensor(_ name: String) throws -> (Int32, [Int]) {
        let shape = try self.shape(name)
        guard shape.count == 3 else { return (try tensor(name, perm: Permutation.channelsLast(4)), shape) }
        let rows = try tensor(name, perm: [0, 2, 1])
        let lifted = [shape[0], 1, shape[2], shape[1]]
        let output = try addTensor(name: "\(name)/2d", shape: lifted, type: try type(name), quantization: quantization(of: name, perm: [0, 2, 1]))
        emit(.reshape, inputs: [rows, try int32Constant(lifted, name: "\(name)/2d_shape")], outputs: [output],
             options: .reshape(newShape: lifted.map { Int32($0) }))
        return (output, [shape[0], shape[1], 1, shape[2]])
    }

    /// The NHWC tensor a windowed op writes value `name` to, and what to emit after the op: for
    /// a rank-3 value, the RESHAPE from N×1×L×C to its stored N·L·C.
    func windowOutput(_ name: String) throws -> (Int32, () throws -> Void) {
        let shape = try self.shape(name)
        guard shape.count == 3 else { return (try define(name, perm: Permutation.channelsLast(4)), {}) }
        let stored = try define(name, perm: [0, 2, 1])
        let storedShape = [shape[0], shape[2], shape[1]]
        let lifted = try addTensor(name: "\(name)/2d", shape: [shape[0], 1, shape[2], shape[1]], type: try type(name),
                                   quantization: quantization(of: name, perm: [0, 2, 1]))
        return (lifted, { [self] in
            emit(.reshape, inputs: [lifted, try int32Constant(storedShape, name: "\(name)/shape")], outputs: [stored],
                 options: .reshape(newShape: storedShape.map { Int32($0) }))
        })
    }
}
