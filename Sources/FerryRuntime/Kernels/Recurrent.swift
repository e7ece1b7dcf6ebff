import FerryIR
import Foundation

/// What LSTM, GRU and RNN share: direction, layout, hidden size, clip and the activation list.
struct RecurrentAttributes: Sendable {
    enum Direction: String { case forward, reverse, bidirectional }

    let direction: Direction
    let hiddenSize: Int
    let clip: Float?
    let layout: Int
    let activations: [@Sendable (Float) -> Float]

    var directions: Int { direction == .bidirectional ? 2 : 1 }

    init(_ node: NodeContext, defaults: [String]) throws {
        let name = try node.string("direction", default: "forward")
        guard let direction = Direction(rawValue: name) else { throw node.invalid("direction", "must be forward, reverse or bidirectional, not '\(name)'") }
        self.direction = direction
        guard let hidden = try node.intIfPresent("hidden_size"), hidden > 0 else { throw node.invalid("hidden_size", "is required and must be positive") }
        hiddenSize = hidden
        clip = try node.floatIfPresent("clip")
        layout = try node.int("layout", default: 0)
        let names = try node.strings("activations") ?? (direction == .bidirectional ? defaults + defaults : defaults)
        var alphas = try node.floats("activation_alpha") ?? []
        var betas = try node.floats("activation_beta") ?? []
        guard names.count == defaults.count * (direction == .bidirectional ? 2 : 1) else {
            throw node.invalid("activations", "needs \(defaults.count) functions per direction, got \(names)")
        }
        activations = try names.map { name in
            try RecurrentAttributes.activation(name, alphas: &alphas, betas: &betas, node: node)
        }
    }

    static func activation(_ name: String, alphas: inout [Float], betas: inout [Float], node: NodeContext) throws -> @Sendable (Float) -> Float {
        func take(_ list: inout [Float], _ fallback: Float) -> Float { list.isEmpty ? fallback : list.removeFirst() }
        switch name.lowercased() {
        case "sigmoid": return { 1 / (1 + Foundation.exp(-$0)) }
        case "tanh": return { Foundation.tanh($0) }
        case "relu": return { max($0, 0) }
        case "affine": let a = take(&alphas, 1), b = take(&betas, 0); return { a * $0 + b }
        case "leakyrelu": let a = take(&alphas, 0.01); return { $0 >= 0 ? $0 : a * $0 }
        case "thresholdedrelu": let a = take(&alphas, 1); return { $0 > a ? $0 : 0 }
        case "scaledtanh": let a = take(&alphas, 1), b = take(&betas, 1); return { a * Foundation.tanh(b * $0) }
        case "hardsigmoid": let a = take(&alphas, 0.2), b = take(&betas, 0.5); return { max(0, min(1, a * $0 + b)) }
        case "elu": let a = take(&alphas, 1); return { $0 >= 0 ? $0 : a * (Foundation.exp($0) - 1) }
        case "softsign": return { $0 / (1 + abs($0)) }
        case "softplus": return { Foundation.log1p(Foundation.exp($0)) }
        default: throw node.invalid("activations", "'\(name)' is not an activation Ferry knows")
        }
    }

    func clipped(_ v: Float) -> Float {
        guard let clip else { return v }
        return min(max(v, -clip), clip)
    }

    /// Checks the optional inputs against the layer's sizes before any of them is indexed.
    func check(bias: Tensor?, count: Int, lengths: [Int], batch: Int, states: [Tensor?]) throws {
        if let bias, bias.count != count { throw KernelError("B has \(bias.count) values; \(count) expected") }
        guard lengths.count == batch, lengths.allSatisfy({ $0 >= 0 }) else { throw KernelError("sequence_lens must have \(batch) non-negative values") }
        for state in states.compactMap({ $0 }) where state.count != directions * batch * hiddenSize {
            throw KernelError("initial state \(state.shape) does not hold \(directions)×\(batch)×\(hiddenSize) values")
        }
    }

    /// X as [seq][batch][input] regardless of layout.
    func sequenceMajor(_ x: Tensor) throws -> (values: [Float], seq: Int, batch: Int, input: Int) {
        guard x.rank == 3, x.dataType == .float32 else { throw KernelError("X must be a 3-D float tensor, got \(x.dataType)\(x.shape)") }
        if layout == 0 { return (x.elements(as: Float.self), x.shape[0], x.shape[1], x.shape[2]) }
        let t = Transpose.apply(x, [1, 0, 2])
        return (t.elements(as: Float.self), t.shape[0], t.shape[1], t.shape[2])
    }

    /// Y from [seq][dirs][batch][hidden] into the requested layout.
    func outputY(_ y: [Float], seq: Int, batch: Int) -> Tensor {
        let tensor = Tensor(shape: [seq, directions, batch, hiddenSize], values: y)
        return layout == 0 ? tensor : Transpose.apply(tensor, [2, 0, 1, 3])
    }

    /// Y_h or Y_c from [dirs][batch][hidden] into the requested layout.
    func outputState(_ state: [Float], batch: Int) -> Tensor {
        let tensor = Tensor(shape: [directions, batch, hiddenSize], values: state)
        return layout == 0 ? tensor : Transpose.apply(tensor, [1, 0, 2])
    }

    /// initial_h / initial_c as [dirs][batch][hidden].
    func initialState(_ tensor: Tensor?, batch: Int) -> [Float] {
        guard let tensor else { return [Float](repeating: 0, count: directions * batch * hiddenSize) }
        return (layout == 0 ? tensor : Transpose.apply(tensor, [1, 0, 2])).elements(as: Float.self)
    }

    /// The time steps direction `d` visits for a sequence of `length` steps.
    func steps(direction d: Int, length: Int) -> [Int] {
        let reverse = direction == .reverse || (direction == .bidirectional && d == 1)
        return reverse ? Array((0..<length).reversed()) : Array(0..<length)
    }
}

/// out[g] = Σ_k v[k] · m[g][k] for a row-major matrix with `columns` columns.
@inline(__always)
func matrixVector(_ m: UnsafeBufferPointer<Float>, rowOffset: Int, rows: Int, columns: Int, _ v: UnsafeBufferPointer<Float>, vOffset: Int, into out: inout [Float]) {
    for r in 0..<rows {
        var sum: Float = 0
        let base = rowOffset + r * columns
        for k in 0..<columns { sum += m[base + k] * v[vOffset + k] }
        out[r] = sum
    }
}

/// The recurrent ops compute in float32 (after `computingInFloat32` widened float16 inputs):
/// every float input they read as such must be float32, or the model is refused, naming it.
func requireFloat32(_ inputs: [Tensor?], _ names: [Int: String]) throws {
    for (index, name) in names.sorted(by: { $0.key < $1.key }) {
        if index < inputs.count, let t = inputs[index], t.dataType != .float32 {
            throw KernelError("\(name) is \(t.dataType); it must have X's type (float32 here)")
        }
    }
}
