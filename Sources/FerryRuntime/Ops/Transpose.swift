import FerryIR

/// Transpose: permutes the axes (reversing them when `perm` is absent).
struct Transpose: Operator {
    static let opType = "Transpose"
    let perm: [Int]?

    init(_ node: NodeContext) throws { perm = try node.ints("perm") }

    func run(_ inputs: [Tensor?], _ context: ExecutionContext) throws -> [Tensor] {
        let x = try inputs.required(0)
        let permutation = perm ?? Array((0..<x.rank).reversed())
        guard permutation.count == x.rank, Set(permutation) == Set(0..<x.rank) else {
            throw KernelError("perm \(permutation) is not a permutation of the \(x.rank) axes of \(x.shape)")
        }
        return [Transpose.apply(x, permutation)]
    }

    static func apply(_ x: Tensor, _ permutation: [Int]) -> Tensor {
        let shape = permutation.map { x.shape[$0] }
        if permutation == Array(0..<x.rank) { return x }
        let inStrides = Tensor.strides(of: x.shape)
        let strides = permutation.map { inStrides[$0] }
        let sources = Tensor.stridedSources(shape: shape, strides: strides)
        return x.gathering(sources, shape: shape)
    }
}
