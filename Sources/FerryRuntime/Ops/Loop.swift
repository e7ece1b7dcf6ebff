import FerryIR

/// Loop: runs the body subgraph while the trip count and the condition allow, carrying
/// values from one iteration to the next and stacking the scan outputs along a new first axis.
struct Loop: Operator, CapturingKernel {
    static let opType = "Loop"
    static let shapeDependsOnValues: [Int] = [0, 1]
    let body: ExecutionPlan
    let capturedNames: [String]
    let carriedCount: Int

    init(_ node: NodeContext) throws {
        guard let graph = try node.graph("body") else { throw node.invalid("body", "is required") }
        body = try node.plan(for: graph)
        capturedNames = body.outerNames
        carriedCount = max(0, node.inputCount - 2)
        guard body.outputs.count >= carriedCount + 1 else {
            throw node.invalid("body", "returns \(body.outputs.count) values; a loop with \(carriedCount) carried values needs at least \(carriedCount + 1)")
        }
        guard body.inputs.count == carriedCount + 2 else {
            throw node.invalid("body", "takes \(body.inputs.count) inputs; a loop with \(carriedCount) carried values needs \(carriedCount + 2)")
        }
    }

    func run(_ inputs: [Tensor?], _ context: ExecutionContext) throws -> [Tensor] {
        let tripLimit = inputs.optional(0).flatMap { $0.count == 1 ? $0.integers()[0] : nil }
        var condition = inputs.optional(1).map { $0.integers()[0] != 0 } ?? true
        var carried = try (0..<carriedCount).map { try inputs.required(2 + $0) }
        let outer = try (0..<capturedNames.count).map { try inputs.required(2 + carriedCount + $0) }
        var scans: [[Tensor]] = []
        var iteration = 0
        while condition && (tripLimit == nil || iteration < tripLimit!) {
            let feeds = [Tensor(scalar: Int64(iteration)), Tensor(scalar: condition)] + carried
            let results = try body.execute(feeds: feeds, outer: outer, context: context)
            condition = results[0].integers().first.map { $0 != 0 } ?? false
            carried = Array(results[1...carriedCount])
            let scanValues = Array(results[(1 + carriedCount)...])
            if scans.isEmpty { scans = scanValues.map { [$0] } } else { for (i, v) in scanValues.enumerated() { scans[i].append(v) } }
            iteration += 1
            if tripLimit == nil && inputs.optional(1) == nil { throw KernelError("a loop with neither trip count nor condition never ends") }
        }
        let scanCount = body.outputs.count - 1 - carriedCount
        var stacked: [Tensor] = []
        for i in 0..<scanCount {
            let parts = i < scans.count ? scans[i] : []
            guard let first = parts.first else {
                stacked.append(Tensor(dataType: .float32, shape: [0]))
                continue
            }
            let out = Tensor(dataType: first.dataType, shape: [parts.count] + first.shape)
            for (j, part) in parts.enumerated() {
                guard part.shape == first.shape else { throw KernelError("scan output \(i) changes shape between iterations") }
                part.copyElements(from: 0, into: out, at: j * first.count, count: first.count)
            }
            stacked.append(out)
        }
        return carried + stacked
    }
}
