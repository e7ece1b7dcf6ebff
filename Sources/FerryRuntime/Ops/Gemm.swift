import FerryIR

/// Gemm: Y = alpha·A'·B' + beta·C, with A' and B' optionally transposed and C broadcast.
/// Float32 products read a transposed B in place (no copy).
struct Gemm: Operator {
    static let opType = "Gemm"
    let alpha: Float
    let beta: Float
    let transA: Bool
    let transB: Bool

    init(_ node: NodeContext) throws {
        alpha = try node.float("alpha", default: 1)
        beta = try node.float("beta", default: 1)
        transA = try node.int("transA", default: 0) != 0
        transB = try node.int("transB", default: 0) != 0
        node.ignore("broadcast")
    }

    func run(_ inputs: [Tensor?], _ context: ExecutionContext) throws -> [Tensor] {
        try computingInFloat32(inputs) { inputs in
            var a = try inputs.required(0)
            guard a.rank == 2 else { throw KernelError("A must be 2-D, got \(a.shape)") }
            if transA { a = Transpose.apply(a, [1, 0]) }
            var b = try inputs.required(1)
            guard b.rank == 2 else { throw KernelError("B must be 2-D, got \(b.shape)") }
            guard a.dataType == b.dataType else { throw KernelError("A and B have different types") }
            let m = a.shape[0], k = a.shape[1], n = transB ? b.shape[0] : b.shape[1]
            guard (transB ? b.shape[1] : b.shape[0]) == k else {
                throw KernelError("A' is \(a.shape), B is \(b.shape)\(transB ? " (transposed)" : ""): inner dimensions differ")
            }
            var product: Tensor
            if a.dataType == .float32 && transB {
                product = Tensor(dataType: .float32, shape: [m, n])
                MatMulKernel.sgemmTransposedB(m: m, n: n, k: k, a: a.storage.bytes.assumingMemoryBound(to: Float.self),
                                              bt: b.storage.bytes.assumingMemoryBound(to: Float.self),
                                              c: product.storage.bytes.assumingMemoryBound(to: Float.self), accumulate: false, context: context)
            } else {
                if transB { b = Transpose.apply(b, [1, 0]) }
                product = try MatMul.multiply(a, b, context)
            }
            if alpha != 1 {
                product = try mapNumeric(product, Gemm.scalar(Double(alpha), product.dataType), context, Mul.Function())
            }
            if let c = inputs.optional(2), beta != 0 {
                guard Broadcast.shape([c.shape, [m, n]]) == [m, n] else { throw KernelError("C \(c.shape) does not broadcast to \([m, n])") }
                let scaled = beta == 1 ? c : try mapNumeric(c, Gemm.scalar(Double(beta), c.dataType), context, Mul.Function())
                product = try mapNumeric(product, scaled, context, Add.Function())
            }
            return [product]
        }
    }

    static func scalar(_ value: Double, _ type: DataType) -> Tensor {
        let t = Tensor(dataType: type, shape: [])
        if let numeric = type.numericType {
            func open<T: NumericElement>(_: T.Type) { t.withMutableElements(as: T.self) { $0[0] = T(castingFrom: value) } }
            open(numeric)
        }
        return t
    }
}
