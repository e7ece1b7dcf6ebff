import FerryIR

/// Options for running a model.
public struct SessionOptions: Sendable {
    /// Worker threads for kernels; results are identical for every value.
    public var threads: Int
    /// When set, QDQ patterns run as the integer kernels TFLite uses, with this requantization
    /// rounding ("what the device computes"); when nil, QuantizeLinear/DequantizeLinear run as
    /// written (ONNX's reference semantics).
    public var integerArithmetic: IntegerRounding?

    public init(threads: Int = 1, integerArithmetic: IntegerRounding? = nil) {
        self.threads = max(1, threads)
        self.integerArithmetic = integerArithmetic
    }
}

/// Runs a model on the CPU with Ferry's reference kernels.
///
/// Creation parses every node's attributes and prepares constants once; `run` validates the
/// feeds against the graph's declared inputs and executes the nodes in order.
public final class InferenceSession: @unchecked Sendable {
    public let model: Model
    public let options: SessionOptions
    let plan: ExecutionPlan
    /// The graph `plan` runs: sorted, lowered, constants precomputed.
    let runGraph: Graph

    public init(model: Model, options: SessionOptions = SessionOptions()) throws {
        self.model = model
        self.options = options
        var graph = model.graph
        do {
            try graph.sortAndVerify()
            if let rounding = options.integerArithmetic {
                graph = try IntegerLowering.lower(graph, rounding: rounding)
            }
            graph = try ConstantPrecompute.apply(graph, opset: model.opset, threads: options.threads)
            plan = try ExecutionPlan(graph: graph, opset: model.opset, outerScope: [], threads: options.threads)
            runGraph = graph
        } catch let error as GraphError {
            throw RuntimeError.graph(error)
        }
    }

    /// The inputs a caller must feed, in graph order.
    public var inputs: [ValueInfo] { plan.inputs.map(\.info) }
    /// Output names in graph order.
    public var outputNames: [String] { plan.outputs.map(\.name) }
    /// Every value of the main graph a run can observe (constants, inputs, node outputs).
    public var valueNames: [String] { plan.slotNames }

    /// Runs the model; returns the outputs in graph order.
    ///
    /// A session may run on several threads at once (kernels are immutable once made): callers
    /// running samples side by side pass `threads: 1` to run each on its own thread instead of
    /// the session's `options.threads`. The values do not depend on it.
    public func run(_ feeds: [String: Tensor], threads: Int? = nil, profiler: Profiler? = nil) throws -> [Tensor] {
        try plan.execute(feeds: try ordered(feeds), outer: [], context: ExecutionContext(threads: threads ?? options.threads, profiler: profiler))
    }

    /// Runs the model and hands `observe` each value of the main graph named in `names` (inputs
    /// and constants first, then every node output as soon as it is computed), before the
    /// runtime frees it: statistics over every intermediate without keeping them all alive, as
    /// listing them as graph outputs would. Names the model does not have are never observed.
    public func run(_ feeds: [String: Tensor], threads: Int? = nil, observing names: Set<String>, profiler: Profiler? = nil,
                    _ observe: (String, Tensor) throws -> Void) throws -> [Tensor] {
        let slots = plan.slotNames.map { names.contains($0) }
        let feeds = try ordered(feeds)
        return try withoutActuallyEscaping(observe) { observe in
            try plan.execute(feeds: feeds, outer: [], context: ExecutionContext(threads: threads ?? options.threads, profiler: profiler),
                             observed: slots) { slot, value in
                try observe(self.plan.slotNames[slot], value)
            }
        }
    }

    /// A run the caller advances one node at a time, seeing the values named in `names` as
    /// `run(_:observing:_:)` does: two models compared value by value (per-layer drift) then
    /// hold only what one has computed ahead of the other, not every value of a whole run.
    public func start(_ feeds: [String: Tensor], threads: Int? = nil, observing names: Set<String>) throws -> StepwiseRun {
        let observed = plan.slotNames.map { names.contains($0) }
        return StepwiseRun(run: ExecutionPlan.Run(plan: plan, feeds: try ordered(feeds), outer: [],
                                                  context: ExecutionContext(threads: threads ?? options.threads), observed: observed))
    }

    /// The feeds in input order, checked against the declared inputs.
    private func ordered(_ feeds: [String: Tensor]) throws -> [Tensor] {
        let known = Set(plan.inputs.map(\.info.name))
        for name in feeds.keys.sorted() where !known.contains(name) {
            throw RuntimeError.unknownInput(name: name, expected: plan.inputs.map(\.info.name))
        }
        var ordered: [Tensor] = []
        var symbols: [String: Int] = [:]
        for (info, _) in plan.inputs {
            guard let tensor = feeds[info.name] else { throw RuntimeError.missingInput(name: info.name) }
            try check(tensor, against: info, symbols: &symbols)
            ordered.append(tensor)
        }
        return ordered
    }

    /// Runs the model; returns the outputs by name.
    public func runNamed(_ feeds: [String: Tensor]) throws -> [String: Tensor] {
        let values = try run(feeds)
        return Dictionary(zip(outputNames, values), uniquingKeysWith: { first, _ in first })
    }

    private func check(_ tensor: Tensor, against info: ValueInfo, symbols: inout [String: Int]) throws {
        guard let type = info.type else { return }
        guard tensor.dataType == type.dataType else {
            throw RuntimeError.inputType(name: info.name, expected: type.dataType, actual: tensor.dataType)
        }
        guard let dims = type.shape else { return }
        let expected = "[\(dims.map(\.description).joined(separator: ","))]"
        guard dims.count == tensor.rank else {
            throw RuntimeError.inputShape(name: info.name, expected: expected, actual: tensor.shape)
        }
        for (dim, size) in zip(dims, tensor.shape) {
            switch dim {
            case .fixed(let fixed) where fixed != size:
                throw RuntimeError.inputShape(name: info.name, expected: expected, actual: tensor.shape)
            case .symbol(let name):
                if let bound = symbols[name], bound != size {
                    throw RuntimeError.inputShape(name: info.name, expected: "\(expected) with \(name)=\(bound)", actual: tensor.shape)
                }
                symbols[name] = size
            default:
                break
            }
        }
    }
}

/// One run of a session advanced node by node (`InferenceSession.start`).
public final class StepwiseRun {
    let run: ExecutionPlan.Run
    public private(set) var finished = false

    init(run: ExecutionPlan.Run) {
        self.run = run
    }

    /// Runs the next node (the first call: observes the inputs and constants) and hands
    /// `observe` its observed outputs; returns false once the run has finished.
    @discardableResult
    public func advance(_ observe: (String, Tensor) throws -> Void) throws -> Bool {
        guard !finished else { return false }
        let names = run.plan.slotNames
        let more = try withoutActuallyEscaping(observe) { observe in
            try run.step { slot, value in try observe(names[slot], value) }
        }
        finished = !more
        return more
    }

    /// Runs whatever is left, then returns the outputs in graph order.
    public func outputs() throws -> [Tensor] {
        while try advance({ _, _ in }) {}
        return try run.outputs()
    }
}
