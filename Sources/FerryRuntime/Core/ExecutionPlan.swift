import Dispatch
import FerryIR

/// A graph compiled for execution: values numbered into slots, a kernel per node, and for
/// every step the slots whose last reader it is, so their memory is freed as soon as possible.
final class ExecutionPlan: @unchecked Sendable {
    struct Step {
        let kernel: any Kernel
        let label: String
        let opType: String
        let valueInputs: [Int]
        let inputs: [Int]      // -1 for an absent optional input
        let outputs: [Int]     // -1 for an unused optional output
        let release: [Int]
        /// The chain this step heads (an index into `chains`).
        var chain: Int?
    }

    let slotCount: Int
    let constants: [(slot: Int, tensor: Tensor)]
    let inputs: [(info: ValueInfo, slot: Int)]
    /// Values read from the enclosing graph (for subgraphs), in `outerNames` order.
    let outerNames: [String]
    let outerSlots: [Int]
    let outputs: [(name: String, slot: Int)]
    let steps: [Step]
    /// Value name of each slot.
    let slotNames: [String]
    /// Nodes a run computes as one kernel unless it observes a value between them.
    let chains: [StepChain]
    /// The step that computes each slot; -1 for constants, inputs and outer values.
    let producers: [Int]
    /// Slot of each value name.
    let slotIndex: [String: Int]

    init(graph: Graph, opset: Int, outerScope: Set<String>, threads: Int) throws {
        var slots: [String: Int] = [:]
        func slot(_ name: String) -> Int {
            if let existing = slots[name] { return existing }
            slots[name] = slots.count
            return slots.count - 1
        }
        var constants: [(Int, Tensor)] = []
        for name in graph.initializerOrder { if let t = graph.initializers[name] { constants.append((slot(name), t)) } }
        inputs = graph.runtimeInputs.map { ($0, slot($0.name)) }
        let referenced = graph.outerReferences().sorted()
        outerNames = referenced.filter { slots[$0] == nil }
        outerSlots = outerNames.map { slot($0) }

        func makeKernel(_ node: Node, defined: Set<String>) throws -> any Kernel {
            let nodeConstants = node.inputs.map { $0.isEmpty ? nil : graph.initializers[$0] }
            let context = NodeContext(node: node, opset: opset, constants: nodeConstants) { subgraph in
                // Subgraphs see everything defined so far here and in the enclosing scopes.
                let innerScope = outerScope.union(defined)
                var sorted = subgraph
                try sorted.sortAndVerify(outerScope: innerScope)
                return try ExecutionPlan(graph: sorted, opset: opset, outerScope: innerScope, threads: threads)
            }
            let kernel = try OperatorRegistry.makeKernel(context)
            try context.checkAllAttributesRead()
            return kernel
        }
        func hasSubgraphs(_ node: Node) -> Bool { node.attributes.values.contains { !$0.subgraphs.isEmpty } }
        // Kernels of nodes without subgraphs depend on nothing else: made side by side (packing
        // a convolution's weights is most of a session's set-up); errors wait for their node.
        let prepared: [Result<any Kernel, any Error>?] = threads > 1 && graph.nodes.count > 1
            ? try ConcurrentWork.map(graph.nodes.count, workers: threads) { index in
                hasSubgraphs(graph.nodes[index]) ? nil : Result { try makeKernel(graph.nodes[index], defined: []) }
            }
            : []

        var steps: [Step] = []
        var lastUse: [Int: Int] = [:]
        for (index, node) in graph.nodes.enumerated() {
            let made = try prepared.isEmpty ? nil : prepared[index]?.get()
            let kernel = try made ?? makeKernel(node, defined: hasSubgraphs(node) ? Set(slots.keys) : [])
            var inputSlots = node.inputs.map { $0.isEmpty ? -1 : slot($0) }
            // Values the node's subgraphs read from this scope are passed as extra inputs.
            let captured = (kernel as? CapturingKernel)?.capturedNames ?? []
            inputSlots += captured.map { slot($0) }
            for s in inputSlots where s >= 0 { lastUse[s] = index }
            let outputSlots = node.outputs.map { $0.isEmpty ? -1 : slot($0) }
            let valueInputs = OperatorRegistry.byName[node.opType]?.shapeDependsOnValues ?? []
            steps.append(Step(kernel: kernel, label: node.label, opType: node.opType, valueInputs: valueInputs, inputs: inputSlots, outputs: outputSlots, release: []))
        }
        outputs = graph.outputs.map { ($0.name, slot($0.name)) }
        let keep = Set(outputs.map(\.slot)).union(constants.map(\.0))
        var releaseAt = Array(repeating: [Int](), count: steps.count)
        for (s, step) in lastUse where !keep.contains(s) { releaseAt[step].append(s) }
        var planned = steps.enumerated().map { index, step in
            Step(kernel: step.kernel, label: step.label, opType: step.opType, valueInputs: step.valueInputs, inputs: step.inputs, outputs: step.outputs,
                 release: releaseAt[index].sorted())
        }
        var readers: [Int: [Int]] = [:]
        for (index, step) in planned.enumerated() { for s in step.inputs where s >= 0 { readers[s, default: []].append(index) } }
        let constantSlots = Dictionary(constants.map { ($0.0, $0.1) }, uniquingKeysWith: { first, _ in first })
        chains = StepChain.find(steps: planned, readers: readers, kept: keep.union(outerSlots)) { constantSlots[$0] }
        for (index, chain) in chains.enumerated() { planned[chain.steps[0]].chain = index }
        self.steps = planned
        self.constants = constants
        slotCount = slots.count
        slotNames = slots.sorted { $0.value < $1.value }.map(\.key)
        slotIndex = slots
        var producers = [Int](repeating: -1, count: slots.count)
        for (index, step) in planned.enumerated() { for s in step.outputs where s >= 0 { producers[s] = index } }
        self.producers = producers
    }

    /// The latest step at or before `step` that no chain straddles (a run may start there
    /// with every value computed before it given: a fused chain runs from its first step).
    func chainBoundary(atOrBefore step: Int) -> Int {
        var start = min(max(0, step), steps.count)
        var moved = true
        while moved {
            moved = false
            for chain in chains where chain.steps.first! < start && chain.steps.last! >= start {
                start = chain.steps.first!
                moved = true
            }
        }
        return start
    }

    /// The slots a run starting at `step` reads without computing them: values made before it
    /// (or inputs) that a later step reads or that are graph outputs; constants excluded.
    func liveSlots(at step: Int) -> [Int] {
        var live = Set<Int>()
        let constantSlots = Set(constants.map(\.slot))
        for later in steps[step...] {
            for s in later.inputs where s >= 0 && producers[s] < step && !constantSlots.contains(s) { live.insert(s) }
        }
        for output in outputs where producers[output.slot] < step && !constantSlots.contains(output.slot) { live.insert(output.slot) }
        return live.sorted()
    }

    /// Runs the plan. `feeds` are in `inputs` order, `outer` in `outerNames` order; `observe`
    /// sees every constant, input and computed value (by slot) whose `observed` entry is true
    /// before it can be freed (slots past the end of `observed` are not observed).
    func execute(feeds: [Tensor], outer: [Tensor], context: ExecutionContext, observed: [Bool] = [],
                 observe: ((Int, Tensor) throws -> Void)? = nil) throws -> [Tensor] {
        let run = Run(plan: self, feeds: feeds, outer: outer, context: context, observed: observed)
        while try run.step(observe) {}
        return try run.outputs()
    }

    /// One execution of the plan, advanced a step at a time by its caller.
    final class Run {
        let plan: ExecutionPlan
        let context: ExecutionContext
        private var values: [Tensor?]
        /// The next step; -1 until the constants and inputs have been observed.
        private var next = -1
        private let observed: [Bool]
        /// Per step: it heads a chain this run computes fused / a fused chain computed it.
        private var fused: [Bool]
        private var skipped: [Bool]

        /// A run that starts at `step` (a chain boundary) with `given` values for the slots
        /// `liveSlots(at: step)` lists: nothing before it runs, nothing is observed.
        convenience init(plan: ExecutionPlan, resumingAt step: Int, given: [(slot: Int, tensor: Tensor)], context: ExecutionContext) {
            self.init(plan: plan, feeds: [], outer: [], context: context, filling: false)
            for (slot, tensor) in given { values[slot] = tensor }
            next = step
        }

        convenience init(plan: ExecutionPlan, feeds: [Tensor], outer: [Tensor], context: ExecutionContext, observed: [Bool] = []) {
            self.init(plan: plan, feeds: feeds, outer: outer, context: context, observed: observed, filling: true)
        }

        private init(plan: ExecutionPlan, feeds: [Tensor], outer: [Tensor], context: ExecutionContext, observed: [Bool] = [], filling: Bool) {
            self.plan = plan
            self.context = context
            self.observed = observed
            var fused = [Bool](repeating: false, count: plan.steps.count), skipped = fused
            for chain in plan.chains where !chain.hidden.contains(where: { $0 < observed.count && observed[$0] })
                && !chain.steps.contains(where: { fused[$0] || skipped[$0] }) {
                fused[chain.steps[0]] = true
                for step in chain.steps.dropFirst() { skipped[step] = true }
            }
            self.fused = fused
            self.skipped = skipped
            values = [Tensor?](repeating: nil, count: plan.slotCount)
            for (slot, tensor) in plan.constants { values[slot] = tensor }
            guard filling else { return }
            for (index, input) in plan.inputs.enumerated() { values[input.slot] = feeds[index] }
            for (index, slot) in plan.outerSlots.enumerated() { values[slot] = outer[index] }
        }

        /// Bytes of the computed values the run holds now (shared storage counted once;
        /// constants and feeds are not the run's).
        var heldBytes: Int {
            var seen = Set<ObjectIdentifier>()
            var total = 0
            for (slot, value) in values.enumerated() where plan.producers[slot] >= 0 {
                if let value, seen.insert(ObjectIdentifier(value.storage)).inserted { total += value.storage.byteCount }
            }
            return total
        }

        /// The value of `slot` once the run has computed it: advances until its step has run;
        /// nil when no step makes it (a constant or input is given at once), or when the run
        /// freed it already or never formed it (a fused chain's inner value).
        func value(of slot: Int) throws -> Tensor? {
            if next < 0 { _ = try step(nil) }
            while next <= plan.producers[slot], try step(nil) {}
            return values[slot]
        }

        /// Observes the constants and inputs (first call), else runs the next node and observes
        /// its outputs before freeing what no later node reads; false once every node has run.
        func step(_ observe: ((Int, Tensor) throws -> Void)?) throws -> Bool {
            if next < 0 {
                next = 0
                if let observe {
                    for (slot, tensor) in plan.constants where isObserved(slot) { try observe(slot, tensor) }
                    for input in plan.inputs where isObserved(input.slot) { try observe(input.slot, values[input.slot]!) }
                }
                return !plan.steps.isEmpty
            }
            guard next < plan.steps.count else { return false }
            let index = next
            let step = plan.steps[index]
            next += 1
            if skipped[index] {
                // Computed by the chain this step belongs to; what it read last goes now.
                for slot in step.release { values[slot] = nil }
                return next < plan.steps.count
            }
            let chain = fused[index] ? step.chain.map { plan.chains[$0] } : nil
            var arguments: [Tensor?] = []
            arguments.reserveCapacity(step.inputs.count)
            for slot in step.inputs {
                if slot < 0 { arguments.append(nil); continue }
                guard let value = values[slot] else {
                    throw RuntimeError.node(label: step.label, message: "an input has no value (an optional output that was not produced?)")
                }
                arguments.append(value)
            }
            let results: [Tensor]
            let started = context.profiler == nil ? 0 : DispatchTime.now().uptimeNanoseconds
            defer {
                if let profiler = context.profiler {
                    profiler.record(chain?.opType ?? step.opType, nanoseconds: DispatchTime.now().uptimeNanoseconds - started)
                }
            }
            do {
                results = try chain.map { try $0.kernel.run(arguments, context) } ?? step.kernel.run(arguments, context)
            } catch let error as KernelError {
                throw RuntimeError.node(label: step.label, message: error.message)
            } catch let error as GraphError {
                throw RuntimeError.node(label: step.label, message: error.description)
            }
            let outputs = chain.map { plan.steps[$0.steps.last!].outputs } ?? step.outputs
            for (index, slot) in outputs.enumerated() where slot >= 0 && index < results.count {
                values[slot] = results[index]
                if isObserved(slot) { try observe?(slot, results[index]) }
            }
            for slot in step.release { values[slot] = nil }
            return next < plan.steps.count
        }

        private func isObserved(_ slot: Int) -> Bool { slot < observed.count && observed[slot] }

        /// The graph outputs, once every step has run.
        func outputs() throws -> [Tensor] {
            try plan.outputs.map { output in
                guard let value = values[output.slot] else {
                    throw RuntimeError.graph(.undefinedOutput(output.name))
                }
                return value
            }
        }
    }
}

extension ExecutionPlan {
    /// What a probe run learned about one value.
    struct Observation {
        let dataType: DataType
        let shape: [Int]
        /// The shape came from data the probe made up (zeros), not from shapes alone.
        let dataDependent: Bool
    }

    /// Runs the plan on made-up feeds, carrying on past nodes that fail, and records the type
    /// and shape of every value. A value's shape is marked data-dependent when it was decided by
    /// the contents of a feed (through an input listed in `shapeDependsOnValues`).
    func probe(feeds: [Tensor], context: ExecutionContext) -> [String: Observation] {
        var values = [Tensor?](repeating: nil, count: slotCount)
        // contentFromFeeds: the value's contents depend on feed data; shapeFromData: its shape does.
        var contentFromFeeds = [Bool](repeating: false, count: slotCount)
        var shapeFromData = [Bool](repeating: false, count: slotCount)
        var seen: [String: Observation] = [:]
        for (slot, tensor) in constants { values[slot] = tensor }
        for (index, input) in inputs.enumerated() {
            values[input.slot] = feeds[index]
            contentFromFeeds[input.slot] = true
        }
        for slot in outerSlots { contentFromFeeds[slot] = true; shapeFromData[slot] = true }
        for step in steps {
            let arguments = step.inputs.map { $0 < 0 ? nil : values[$0] }
            if zip(step.inputs, arguments).contains(where: { $0.0 >= 0 && $0.1 == nil }) { continue }
            guard let results = try? step.kernel.run(arguments, context) else { continue }
            let present = step.inputs.filter { $0 >= 0 }
            let anyShapeFromData = present.contains { shapeFromData[$0] }
            let valueDecided = step.valueInputs.contains { $0 < step.inputs.count && step.inputs[$0] >= 0 && contentFromFeeds[step.inputs[$0]] }
            let shapeOnly = step.opType == "Shape" || step.opType == "Size"
            let content = shapeOnly ? anyShapeFromData : present.contains { contentFromFeeds[$0] || shapeFromData[$0] }
            for (index, slot) in step.outputs.enumerated() where slot >= 0 && index < results.count {
                values[slot] = results[index]
                contentFromFeeds[slot] = content
                shapeFromData[slot] = anyShapeFromData || valueDecided
                seen[slotNames[slot]] = Observation(dataType: results[index].dataType, shape: results[index].shape,
                                                   dataDependent: shapeFromData[slot])
            }
            for slot in step.release { values[slot] = nil }
        }
        return seen
    }
}

/// A kernel whose subgraphs read values of the enclosing graph; the plan passes them as extra
/// inputs after the node's own, in `capturedNames` order.
protocol CapturingKernel {
    var capturedNames: [String] { get }
}
