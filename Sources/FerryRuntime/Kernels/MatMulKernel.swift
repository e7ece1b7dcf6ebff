import CFerryKernels
import FerryIR

/// Matrix products for Gemm and MatMul: float32 through the blocked GEMM, other numeric types
/// through a plain loop in the element type (integers wrap, as ONNX specifies).
enum MatMulKernel {
    /// C[m×n] (+)= A[m×k] · B[k×n], all row-major, float32; splits columns or rows across threads.
    static func sgemm(m: Int, n: Int, k: Int, a: UnsafePointer<Float>, b: UnsafePointer<Float>, c: UnsafeMutablePointer<Float>,
                      accumulate: Bool, context: ExecutionContext) {
        let acc: Int32 = accumulate ? 1 : 0
        if n >= 64 * context.threads || m < context.threads {
            context.parallelFor((n + 15) / 16, minimumChunk: max(1, 4096 / max(1, m * k / 16))) { range in
                let start = range.lowerBound * 16, end = min(n, range.upperBound * 16)
                ferry_sgemm(Int32(m), Int32(end - start), Int32(k), a, Int32(k), b + start, Int32(n), c + start, Int32(n), acc)
            }
        } else {
            context.parallelFor(m, minimumChunk: max(1, 4096 / max(1, n * k))) { range in
                ferry_sgemm(Int32(range.count), Int32(n), Int32(k), a + range.lowerBound * k, Int32(k), b, Int32(n),
                            c + range.lowerBound * n, Int32(n), acc)
            }
        }
    }

    /// C[m×n] (+)= A[m×k] · Btᵀ with Bt given as n×k (a Linear layer's weight as stored).
    static func sgemmTransposedB(m: Int, n: Int, k: Int, a: UnsafePointer<Float>, bt: UnsafePointer<Float>, c: UnsafeMutablePointer<Float>,
                                 accumulate: Bool, context: ExecutionContext) {
        let acc: Int32 = accumulate ? 1 : 0
        if m == 1 && !accumulate {
            // One row: dot products straight off the weight rows, no packing.
            context.parallelFor(n, minimumChunk: max(1, 32768 / max(k, 1))) { range in
                ferry_sgemv_bt(Int32(range.count), Int32(k), a, bt + range.lowerBound * k, Int32(k), c + range.lowerBound)
            }
            return
        }
        if n >= 64 * context.threads || m < context.threads {
            context.parallelFor((n + 15) / 16) { range in
                let start = range.lowerBound * 16, end = min(n, range.upperBound * 16)
                ferry_sgemm_bt(Int32(m), Int32(end - start), Int32(k), a, Int32(k), bt + start * k, Int32(k), c + start, Int32(n), acc)
            }
        } else {
            context.parallelFor(m) { range in
                ferry_sgemm_bt(Int32(range.count), Int32(n), Int32(k), a + range.lowerBound * k, Int32(k), bt, Int32(k),
                               c + range.lowerBound * n, Int32(n), acc)
            }
        }
    }

    /// Plain product for any numeric type: C = A·B (+ C when accumulate).
    static func naive<T: NumericElement>(_: T.Type, m: Int, n: Int, k: Int, a: UnsafePointer<T>, b: UnsafePointer<T>,
                                         c: UnsafeMutablePointer<T>, accumulate: Bool) {
        for i in 0..<m {
            for j in 0..<n {
                var sum = accumulate ? c[i * n + j] : T.zero
                for p in 0..<k { sum = T.add(sum, T.multiply(a[i * k + p], b[p * n + j])) }
                c[i * n + j] = sum
            }
        }
    }
}
