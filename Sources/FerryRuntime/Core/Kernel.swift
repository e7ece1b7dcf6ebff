import FerryIR

/// A ready-to-run operator instance: attributes parsed and checked, constants prepared.
public protocol Kernel: Sendable {
    /// Computes the outputs from the inputs (nil where an optional input is absent).
    func run(_ inputs: [Tensor?], _ context: ExecutionContext) throws -> [Tensor]
}

/// An operator: its ONNX name and how to build a kernel for one node.
public protocol Operator: Kernel {
    /// The ONNX op type, e.g. "Conv".
    static var opType: String { get }
    /// The operator set domain; "" is the default ONNX domain.
    static var domain: String { get }
    /// Inputs whose values (not only shapes) decide the output shape, e.g. Reshape's shape
    /// input: a trait shape inference reads instead of switching on op names.
    static var shapeDependsOnValues: [Int] { get }
    /// Parses the node's attributes and constant inputs once, at session creation.
    init(_ node: NodeContext) throws
}

extension Operator {
    public static var domain: String { "" }
    public static var shapeDependsOnValues: [Int] { [] }
}

/// What a kernel sees while running: thread budget and subgraph execution.
public struct ExecutionContext: Sendable {
    public let threads: Int
    /// Collects time per op type when profiling.
    public let profiler: Profiler?

    public init(threads: Int, profiler: Profiler? = nil) {
        self.threads = max(1, threads)
        self.profiler = profiler
    }
}
