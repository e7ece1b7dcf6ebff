import FerryIR

/// Trilu: keeps the upper (default) or lower triangle of the last two axes, offset by k.
struct Trilu: Operator {
    static let opType = "Trilu"
    let upper: Bool

    init(_ node: NodeContext) throws { upper = try node.int("upper", default: 1) != 0 }

    func run(_ inputs: [Tensor?], _ context: ExecutionContext) throws -> [Tensor] {
        let x = try inputs.required(0)
        guard x.rank >= 2 else { throw KernelError("expects rank 2 or more, got \(x.shape)") }
        let k = inputs.optional(1)?.integers().first ?? 0
        let rows = x.shape[x.rank - 2], cols = x.shape[x.rank - 1]
        let zero = Tensor(dataType: x.dataType, shape: [1])
        let sentinel = x.count
        var extended = Tensor(dataType: x.dataType, shape: [x.count + 1])
        x.copyElements(from: 0, into: extended, at: 0, count: x.count)
        zero.copyElements(from: 0, into: extended, at: x.count, count: 1)
        extended = extended.reshaped([x.count + 1])
        let sources = (0..<x.count).map { i -> Int in
            let r = (i / cols) % rows, c = i % cols
            let keep = upper ? c - r >= k : c - r <= k
            return keep ? i : sentinel
        }
        return [extended.gathering(sources, shape: x.shape)]
    }
}
