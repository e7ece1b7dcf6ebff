import FerryIR

/// What `--prune` asks for.
public enum PruningSpec: Sendable, Equatable, CustomStringConvertible {
    /// Zero the smallest-magnitude fraction of each layer's weights.
    case perLayer(sparsity: Double)
    /// Zero the smallest-magnitude fraction of all prunable weights together (one threshold).
    case global(sparsity: Double)
    /// Keep the N largest of every M consecutive weights along the reduction axis (2:4 for sparse tensor cores and XNNPACK).
    case nOfM(n: Int, m: Int)
    /// Remove the given fraction of output channels (smallest L1 norm) and rewire every consumer.
    case channels(fraction: Double)

    /// Parses `unstructured:0.5` (or `0.5`), `global:0.5`, `2:4`, `channels:0.25`.
    public static func parse(_ text: String) throws -> PruningSpec {
        func fraction(_ s: Substring) throws -> Double {
            guard let v = Double(s), v >= 0, v < 1 else {
                throw PassError.invalidOption("--prune '\(text)': the fraction must be a number in [0, 1)")
            }
            return v
        }
        let parts = text.split(separator: ":", maxSplits: 1)
        if parts.count == 1 { return .perLayer(sparsity: try fraction(parts[0])) }
        switch parts[0] {
        case "unstructured": return .perLayer(sparsity: try fraction(parts[1]))
        case "global": return .global(sparsity: try fraction(parts[1]))
        case "channels": return .channels(fraction: try fraction(parts[1]))
        default:
            guard let n = Int(parts[0]), let m = Int(parts[1]), n >= 1, m > n else {
                throw PassError.invalidOption("--prune '\(text)': expected unstructured:F, global:F, channels:F or N:M (N < M)")
            }
            return .nOfM(n: n, m: m)
        }
    }

    public var description: String {
        switch self {
        case .perLayer(let s): return "unstructured:\(s)"
        case .global(let s): return "global:\(s)"
        case .nOfM(let n, let m): return "\(n):\(m)"
        case .channels(let f): return "channels:\(f)"
        }
    }
}

/// Sparsity of one pruned layer, for the report.
public struct LayerSparsity: Sendable, Equatable {
    public var node: String
    public var weight: String
    public var parameters: Int
    public var zeros: Int
    /// For channel pruning: output channels before and after.
    public var channels: (before: Int, after: Int)?

    public var sparsity: Double { parameters == 0 ? 0 : Double(zeros) / Double(parameters) }

    public static func == (a: LayerSparsity, b: LayerSparsity) -> Bool {
        a.node == b.node && a.weight == b.weight && a.parameters == b.parameters && a.zeros == b.zeros
            && a.channels?.before == b.channels?.before && a.channels?.after == b.channels?.after
    }
}
