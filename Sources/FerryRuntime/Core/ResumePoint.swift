import FerryIR

/// Where a run of one session may start from values another session computed: every step
/// before it runs a node that the other session also runs, with the same inputs, attributes
/// and constants, so each value made before it is, bit for bit, the other session's value of
/// that name. A model that differs from another in a few late nodes (one layer quantized, the
/// rest as in float) then runs only from its first difference.
public struct ResumePoint: Sendable {
    /// The values a resumed run is given, in this order: computed before the point, read after it.
    public let names: [String]
    /// How many of the session's steps the point skips (it starts at this step).
    public let skippedSteps: Int
    let slots: [Int]
    let plan: ObjectIdentifier
}

extension InferenceSession {
    /// The latest point before which this session computes what `other` computes on the same
    /// feeds (the start of the run, skipping nothing, when the first node already differs or
    /// a graph input it would be given is not one of `other`'s: then run whole).
    public func resumePoint(sharingWith other: InferenceSession) -> ResumePoint {
        var shared = 0
        let inputs = Set(runGraph.runtimeInputs.map(\.name)), otherInputs = Set(other.runGraph.runtimeInputs.map(\.name))
        let sameInputs = inputs.intersection(otherInputs)
        if model.opset == other.model.opset {
            var otherNodes: [String: Node] = [:]
            for node in other.runGraph.nodes { if let key = node.outputs.first(where: { !$0.isEmpty }) { otherNodes[key] = node } }
            // Values both compute alike: feeds both take, then the outputs of shared nodes.
            var alike = sameInputs
            for node in runGraph.nodes {
                guard let key = node.outputs.first(where: { !$0.isEmpty }), let twin = otherNodes[key],
                      sameComputation(node, in: runGraph, as: twin, in: other.runGraph),
                      node.inputs.allSatisfy({ $0.isEmpty || alike.contains($0) || runGraph.initializers[$0] != nil }) else { break }
                alike.formUnion(node.outputs.filter { !$0.isEmpty })
                shared += 1
            }
        }
        var step = plan.chainBoundary(atOrBefore: shared)
        var slots = plan.liveSlots(at: step)
        if slots.contains(where: { plan.producers[$0] < 0 && !sameInputs.contains(plan.slotNames[$0]) }) {
            step = 0
            slots = plan.liveSlots(at: 0)
        }
        return ResumePoint(names: slots.map { plan.slotNames[$0] }, skippedSteps: step, slots: slots,
                           plan: ObjectIdentifier(plan))
    }

    /// The index of the step that computes `name` in this session's runs; -1 for an input or
    /// constant, nil for a name the main graph does not have.
    public func stepComputing(_ name: String) -> Int? {
        plan.slotIndex[name].map { plan.producers[$0] }
    }

    /// Runs from `point` (made by `resumePoint(sharingWith:)` of this session) with `values`
    /// for its names; returns the outputs in graph order, as a whole run on the same feeds would.
    public func run(resumingAt point: ResumePoint, given values: [Tensor], threads: Int? = nil) throws -> [Tensor] {
        guard point.plan == ObjectIdentifier(plan) else {
            throw RuntimeError.node(label: "(resume)", message: "the resume point belongs to another session")
        }
        guard values.count == point.slots.count else {
            throw RuntimeError.missingInput(name: point.names[min(values.count, point.names.count - 1)])
        }
        let run = ExecutionPlan.Run(plan: plan, resumingAt: point.skippedSteps, given: Array(zip(point.slots, values)),
                                    context: ExecutionContext(threads: threads ?? options.threads))
        while try run.step(nil) {}
        return try run.outputs()
    }

    /// Whether `node` computes what `twin` computes given equal inputs: same operator,
    /// value names, attributes (subgraphs are never compared: such nodes count as different),
    /// and equal constants wherever either reads one.
    private func sameComputation(_ node: Node, in graph: Graph, as twin: Node, in twinGraph: Graph) -> Bool {
        guard node.opType == twin.opType, node.domain == twin.domain, node.inputs == twin.inputs, node.outputs == twin.outputs,
              node.attributes.count == twin.attributes.count else { return false }
        for (name, attribute) in node.attributes {
            guard let other = twin.attributes[name], sameAttribute(attribute, other) else { return false }
        }
        for input in node.inputs where !input.isEmpty {
            let a = graph.initializers[input], b = twinGraph.initializers[input]
            if a == nil && b == nil { continue }
            guard let a, let b, a.hasSameBits(as: b) else { return false }
        }
        return true
    }

    private func sameAttribute(_ a: Attribute, _ b: Attribute) -> Bool {
        switch (a, b) {
        case (.float(let x), .float(let y)): return x.bitPattern == y.bitPattern
        case (.int(let x), .int(let y)): return x == y
        case (.string(let x), .string(let y)): return x == y
        case (.floats(let x), .floats(let y)): return x.map(\.bitPattern) == y.map(\.bitPattern)
        case (.ints(let x), .ints(let y)): return x == y
        case (.strings(let x), .strings(let y)): return x == y
        case (.tensor(let x), .tensor(let y)): return x.hasSameBits(as: y)
        case (.tensors(let x), .tensors(let y)): return x.count == y.count && zip(x, y).allSatisfy { $0.hasSameBits(as: $1) }
        default: return false
        }
    }
}

extension StepwiseRun {
    /// Bytes of the values this run has computed and still holds.
    public var heldBytes: Int { run.heldBytes }

    /// The values named, once this run has computed them: advances until each one's node has
    /// run. Nil when one is not a value of this run, or was freed already, or is never formed
    /// (a value inside a chain the run computes fused); the run is still usable.
    public func values(_ names: [String]) throws -> [Tensor]? {
        var slots: [Int] = []
        for name in names {
            guard let slot = run.plan.slotIndex[name] else { return nil }
            slots.append(slot)
        }
        // In the order the run makes them, so reaching one frees none of the others first.
        var found = [Tensor?](repeating: nil, count: names.count)
        for index in slots.indices.sorted(by: { (run.plan.producers[slots[$0]], $0) < (run.plan.producers[slots[$1]], $1) }) {
            guard let value = try run.value(of: slots[index]) else { return nil }
            found[index] = value
        }
        return found.compactMap { $0 }
    }
}
