import FerryIR

/// Shape: the input's dimensions as int64, optionally a start..<end part (opset 15).
struct Shape: Operator {
    static let opType = "Shape"
    let start: Int
    let end: Int?

    init(_ node: NodeContext) throws {
        start = try node.int("start", default: 0)
        end = try node.intIfPresent("end")
    }

    func run(_ inputs: [Tensor?], _ context: ExecutionContext) throws -> [Tensor] {
        let x = try inputs.required(0)
        let r = x.rank
        func clamp(_ v: Int) -> Int { min(max(v < 0 ? v + r : v, 0), r) }
        let lo = clamp(start), hi = clamp(end ?? r)
        let dims = lo < hi ? Array(x.shape[lo..<hi]) : []
        return [Tensor(shape: [dims.count], values: dims.map { Int64($0) })]
    }
}
