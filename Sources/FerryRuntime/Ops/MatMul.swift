import FerryIR

/// MatMul: numpy matmul, with 1-D operands promoted and batch dimensions broadcast.
struct MatMul: Operator {
    static let opType = "MatMul"

    init(_ node: NodeContext) throws {}

    func run(_ inputs: [Tensor?], _ context: ExecutionContext) throws -> [Tensor] {
        try computingInFloat32(inputs) { inputs in
            [try MatMul.multiply(inputs.required(0), inputs.required(1), context)]
        }
    }

    static func multiply(_ a: Tensor, _ b: Tensor, _ context: ExecutionContext) throws -> Tensor {
        guard a.dataType == b.dataType, let type = a.dataType.numericType else {
            throw KernelError("expects two numeric inputs of one type, got \(a.dataType) and \(b.dataType)")
        }
        guard a.rank >= 1, b.rank >= 1 else { throw KernelError("operands must have rank 1 or more") }
        let a2 = a.rank == 1 ? a.reshaped([1, a.shape[0]]) : a
        let b2 = b.rank == 1 ? b.reshaped([b.shape[0], 1]) : b
        let m = a2.shape[a2.rank - 2], k = a2.shape[a2.rank - 1], n = b2.shape[b2.rank - 1]
        guard b2.shape[b2.rank - 2] == k else { throw KernelError("inner dimensions differ: \(a.shape) × \(b.shape)") }
        let batchA = Array(a2.shape.dropLast(2)), batchB = Array(b2.shape.dropLast(2))
        let batch = try Broadcast.checkedShape([batchA, batchB])
        let batchCount = batch.reduce(1, *)
        var shape = batch + [m, n]
        let out = Tensor(dataType: a.dataType, shape: shape, zeroed: false)  // the product writes every element
        let stridesA = Broadcast.strides(of: batchA, in: batch), stridesB = Broadcast.strides(of: batchB, in: batch)
        let batchStrides = Tensor.strides(of: batch)
        func offsets(_ index: Int) -> (Int, Int) {
            var oa = 0, ob = 0
            for axis in 0..<batch.count {
                let i = (index / batchStrides[axis]) % batch[axis]
                oa += i * stridesA[axis]; ob += i * stridesB[axis]
            }
            return (oa * m * k, ob * k * n)
        }
        if a.dataType == .float32 {
            let pa = UnsafePointer(a2.storage.bytes.assumingMemoryBound(to: Float.self))
            let pb = UnsafePointer(b2.storage.bytes.assumingMemoryBound(to: Float.self))
            let pc = out.storage.bytes.assumingMemoryBound(to: Float.self)
            if batchCount >= context.threads && m * n < 4096 * context.threads {
                let single = ExecutionContext(threads: 1)
                context.parallelFor(batchCount) { range in
                    for index in range {
                        let (oa, ob) = offsets(index)
                        MatMulKernel.sgemm(m: m, n: n, k: k, a: pa + oa, b: pb + ob, c: pc + index * m * n, accumulate: false, context: single)
                    }
                }
            } else {
                for index in 0..<batchCount {
                    let (oa, ob) = offsets(index)
                    MatMulKernel.sgemm(m: m, n: n, k: k, a: pa + oa, b: pb + ob, c: pc + index * m * n, accumulate: false, context: context)
                }
            }
        } else {
            func open<T: NumericElement>(_: T.Type) {
                let pa = UnsafePointer(a2.storage.bytes.assumingMemoryBound(to: T.self))
                let pb = UnsafePointer(b2.storage.bytes.assumingMemoryBound(to: T.self))
                let pc = out.storage.bytes.assumingMemoryBound(to: T.self)
                for index in 0..<batchCount {
                    let (oa, ob) = offsets(index)
                    MatMulKernel.naive(T.self, m: m, n: n, k: k, a: pa + oa, b: pb + ob, c: pc + index * m * n, accumulate: false)
                }
            }
            open(type)
        }
        if a.rank == 1 { shape.remove(at: shape.count - 2) }
        if b.rank == 1 { shape.removeLast() }
        return out.reshaped(shape)
    }
}
