import FerryIR

/// One rewrite of a model: takes a model and returns the rewritten model, outputs unchanged
/// (up to the numerical effect the pass documents, e.g. quantization).
///
/// Passes are small values; the pipeline runs them in order and verifies the graph between them.
public protocol GraphPass: Sendable {
    /// A short name for reports and errors, e.g. "fold-batch-norm".
    var name: String { get }
    func apply(to model: Model) throws -> Model
    /// Whether `after`, this pass's result for `before`, computes every value it shares with
    /// `before` bit for bit as `before` does, on every input the model accepts: passes that
    /// only remove pass-throughs, fold constants with the runtime's own kernels or move data
    /// say so; a pass that rewrites arithmetic (folding BatchNormalization, pruning,
    /// quantizing) says so only when it changed nothing. `ferry convert` then takes the
    /// optimized model's outputs as the source's, instead of running the source again.
    func preservesValues(from before: Model, to after: Model) -> Bool
}

extension GraphPass {
    public func preservesValues(from before: Model, to after: Model) -> Bool { false }
}

/// Runs passes in order, re-sorting and verifying the graph after each one, and records what
/// each pass changed (node count before and after).
public struct PassPipeline: Sendable {
    public var passes: [any GraphPass]

    public init(_ passes: [any GraphPass]) { self.passes = passes }

    /// One line per pass: its name and the node count it left.
    public struct Step: Sendable, Equatable {
        public var pass: String
        public var nodesBefore: Int
        public var nodesAfter: Int
        /// The pass left every value bit for bit as it was (`GraphPass.preservesValues`).
        public var preservesValues: Bool
    }

    public func run(_ model: Model) throws -> (Model, [Step]) {
        var current = model
        var steps: [Step] = []
        for pass in passes {
            let input = current
            do {
                current = try pass.apply(to: current)
                try current.graph.sortAndVerify()
            } catch let error as PassError {
                throw error
            } catch {
                throw PassError.failed(pass: pass.name, reason: "\(error)")
            }
            steps.append(Step(pass: pass.name, nodesBefore: input.graph.nodes.count, nodesAfter: current.graph.nodes.count,
                              preservesValues: pass.preservesValues(from: input, to: current)))
        }
        return (current, steps)
    }

    /// The standard float optimizations, in an order where each pass feeds the next: fold
    /// constants first so that shape subgraphs disappear, then fuse.
    public static func standard(fuseActivations: Bool) -> PassPipeline {
        var passes: [any GraphPass] = [
            RemovePassThrough(), ConstantFolding(), InlineStaticIf(), DeadCodeElimination(),
            FoldBatchNormalization(), SimplifyTransposes(), ConstantFolding(), DeadCodeElimination(),
        ]
        if fuseActivations { passes.append(FuseActivations()) }
        return PassPipeline(passes)
    }
}
