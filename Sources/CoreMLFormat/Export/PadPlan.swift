import FerryIR
import FerryRuntime

/// An ONNX Pad as both Core ML writers take it: constant pads for every axis, the mode in Core
/// ML's words and the fill value. MIL's pad and NeuralNetwork's padding layer both limit a
/// reflection to D − 1 and a replication to D values per side, and neither pads by a negative
/// amount (a crop), so such pads are refused naming the node, as is `wrap`.
struct PadPlan {
    enum Mode: String {
        case constant, reflect, replicate
    }

    let mode: Mode
    /// Pads before each axis of the input.
    let before: [Int]
    /// Pads after each axis of the input.
    let after: [Int]
    let value: Float

    /// `shape` is the static input shape; `constant(index)` gives the constant behind an input,
    /// nil when the input is absent, throwing when it is computed.
    init(_ node: Node, shape: [Int], constant: (Int) throws -> Tensor?) throws {
        func refuse(_ reason: String) -> CoreMLExportError { .unsupportedOp(node: node.label, op: node.opType, reason: reason) }
        let attributes = NodeAttributes(exporting: node)
        switch try attributes.string("mode", default: "constant") {
        case "constant": mode = .constant
        case "reflect": mode = .reflect
        case "edge": mode = .replicate
        case let other: throw refuse("mode '\(other)' (Core ML pads by constant, reflect or replicate)")
        }
        let rank = shape.count
        // Before opset 11 pads and value are attributes; from then on inputs (axes from opset 18).
        var pads: [Int]
        if let given = try attributes.ints("pads") {
            pads = given
        } else if let tensor = try constant(1) {
            pads = tensor.integers()
        } else {
            throw refuse("pads are missing")
        }
        if let axesTensor = try constant(3) {
            let axes = axesTensor.integers().map { $0 < 0 ? $0 + rank : $0 }
            guard pads.count == 2 * axes.count, axes.allSatisfy({ $0 >= 0 && $0 < rank }) else {
                throw refuse("pads \(pads) do not fit axes \(axesTensor.integers()) of a rank-\(rank) input")
            }
            var full = [Int](repeating: 0, count: 2 * rank)
            for (i, axis) in axes.enumerated() {
                full[axis] = pads[i]
                full[axis + rank] = pads[i + axes.count]
            }
            pads = full
        }
        guard pads.count == 2 * rank else { throw refuse("pads has \(pads.count) values for a rank-\(rank) input") }
        guard pads.allSatisfy({ $0 >= 0 }) else { throw refuse("negative pads \(pads) (a crop; Core ML pads only grow)") }
        before = Array(pads[..<rank])
        after = Array(pads[rank...])
        for axis in 0..<rank {
            let limit = mode == .reflect ? shape[axis] - 1 : mode == .replicate ? shape[axis] : Int.max
            guard max(before[axis], after[axis]) <= limit else {
                throw refuse("\(mode.rawValue) pads \(before[axis]), \(after[axis]) on axis \(axis) of size \(shape[axis]) (Core ML takes at most \(limit))")
            }
        }
        if let tensor = try constant(2) {
            value = tensor.doubles().first.map { Float($0) } ?? 0
        } else {
            value = try attributes.float("value", default: 0)
        }
    }

    /// Whether nothing is padded (the Pad is a copy).
    var isEmpty: Bool { before.allSatisfy { $0 == 0 } && after.allSatisfy { $0 == 0 } }

    /// The first axis padded on either side (the rank when none is).
    var firstPaddedAxis: Int { (0..<before.count).first { before[$0] != 0 || after[$0] != 0 } ?? before.count }

    /// MIL's and ConstantPaddingLayerParams' order: [b0, e0, b1, e1, …].
    var interleaved: [Int] { zip(before, after).flatMap { [$0, $1] } }
}
