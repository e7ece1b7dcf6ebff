import FerryIR

/// If: runs the then- or else-branch subgraph by a bool condition; the branches may read any
/// value of the enclosing graphs.
struct If: Operator, CapturingKernel {
    static let opType = "If"
    let thenPlan: ExecutionPlan
    let elsePlan: ExecutionPlan
    let capturedNames: [String]

    init(_ node: NodeContext) throws {
        guard let thenGraph = try node.graph("then_branch"), let elseGraph = try node.graph("else_branch") else {
            throw node.invalid("then_branch", "and 'else_branch' are both required")
        }
        thenPlan = try node.plan(for: thenGraph)
        elsePlan = try node.plan(for: elseGraph)
        capturedNames = Array(Set(thenPlan.outerNames).union(elsePlan.outerNames)).sorted()
        guard thenPlan.outputs.count == elsePlan.outputs.count else {
            throw node.invalid("else_branch", "has \(elsePlan.outputs.count) outputs, then_branch has \(thenPlan.outputs.count)")
        }
    }

    func run(_ inputs: [Tensor?], _ context: ExecutionContext) throws -> [Tensor] {
        let condition = try inputs.required(0)
        guard condition.count == 1 else { throw KernelError("condition must hold one value, has shape \(condition.shape)") }
        let plan = condition.integers()[0] != 0 ? thenPlan : elsePlan
        let captured = Dictionary(uniqueKeysWithValues: zip(capturedNames, inputs.dropFirst(1)))
        let outer = try plan.outerNames.map { name -> Tensor in
            guard let value = captured[name] ?? nil else { throw KernelError("outer value '\(name)' has no value") }
            return value
        }
        return try plan.execute(feeds: [], outer: outer, context: context)
    }
}
