import CFerryKernels
import FerryIR

/// A function applied element by element, generic over the numeric element types.
public protocol NumericUnaryFunction {
    func callAsFunction<T: NumericElement>(_ x: T) -> T
}

/// A binary function generic over the numeric element types.
public protocol NumericBinaryFunction {
    func callAsFunction<T: NumericElement>(_ a: T, _ b: T) -> T
    /// The vectorized float32 kernel computing the same function (`FERRY_BINARY_*`), if any.
    static var float32Kernel: Int32? { get }
}

extension NumericBinaryFunction {
    public static var float32Kernel: Int32? { nil }
}

/// A comparison generic over the numeric element types.
public protocol NumericComparison {
    func callAsFunction<T: NumericElement>(_ a: T, _ b: T) -> Bool
}

/// Elements per chunk for the closure-based maps. Split across threads, a chunk calls `f`
/// through a closure for every element (the optimizer inlines it only in the one-chunk case),
/// which costs more than the second core gains on memory-bound work; so these maps split only
/// very large tensors. Hot ops with plain loops (Clip, the convolutions) split finely.
@usableFromInline let elementwiseGrain = 1 << 22

/// Applies `f` to every element of `x`.
@inlinable
public func mapUnary<A: TensorElement, R: TensorElement>(_ x: Tensor, _ context: ExecutionContext,
                                                          _ f: (A) -> R) -> Tensor {
    let out = Tensor(dataType: R.dataType, shape: x.shape, zeroed: false)
    x.withElements(as: A.self) { input in
        out.withMutableElements(as: R.self) { output in
            let inBase = input.baseAddress, outBase = output.baseAddress
            context.parallelFor(input.count, minimumChunk: elementwiseGrain) { range in
                for i in range { outBase![i] = f(inBase![i]) }
            }
        }
    }
    return out
}

/// Applies `f` to pairs of elements of `a` and `b` broadcast together.
@inlinable
public func mapBinary<A: TensorElement, B: TensorElement, R: TensorElement>(
    _ a: Tensor, _ b: Tensor, _ context: ExecutionContext, _ f: (A, B) -> R
) throws -> Tensor {
    let shape = try Broadcast.checkedShape([a.shape, b.shape])
    let out = Tensor(dataType: R.dataType, shape: shape, zeroed: false)
    if out.count == 0 { return out }
    a.withElements(as: A.self) { pa in
        b.withElements(as: B.self) { pb in
            out.withMutableElements(as: R.self) { po in
                let pa = pa.baseAddress!, pb = pb.baseAddress!, po = po.baseAddress!
                if a.shape == b.shape {
                    context.parallelFor(out.count, minimumChunk: elementwiseGrain) { range in
                        for i in range { po[i] = f(pa[i], pb[i]) }
                    }
                    return
                }
                let walk = BroadcastWalk(inputs: [a.shape, b.shape], outShape: shape)
                let length = walk.rowLength
                let sa = walk.rowStride(0), sb = walk.rowStride(1)
                context.parallelFor(walk.rowCount, minimumChunk: max(1, elementwiseGrain / length)) { rows in
                    for row in rows {
                        let oa = walk.offset(row: row, input: 0), ob = walk.offset(row: row, input: 1)
                        let base = row * length
                        if sa == 1 && sb == 0 {
                            let vb = pb[ob]
                            for j in 0..<length { po[base + j] = f(pa[oa + j], vb) }
                        } else if sa == 0 && sb == 1 {
                            let va = pa[oa]
                            for j in 0..<length { po[base + j] = f(va, pb[ob + j]) }
                        } else {
                            for j in 0..<length { po[base + j] = f(pa[oa + j * sa], pb[ob + j * sb]) }
                        }
                    }
                }
            }
        }
    }
    return out
}

/// Float32 arithmetic with broadcasting in the vectorized C kernel, one broadcast row at a time;
/// the same IEEE operation on the same operands as `mapBinary`, so the same values.
func mapFloatRows(_ a: Tensor, _ b: Tensor, _ context: ExecutionContext, _ kernel: Int32) throws -> Tensor {
    let shape = try Broadcast.checkedShape([a.shape, b.shape])
    let out = Tensor(dataType: .float32, shape: shape, zeroed: false)
    if out.count == 0 { return out }
    let walk = a.shape == b.shape ? nil : BroadcastWalk(inputs: [a.shape, b.shape], outShape: shape)
    // BroadcastWalk merges axes so that along a row each input either walks (1) or repeats (0).
    if let walk, ![0, 1].contains(walk.rowStride(0)) || ![0, 1].contains(walk.rowStride(1)) {
        throw KernelError("broadcast row strides \(walk.rowStride(0)), \(walk.rowStride(1)) are not 0 or 1")
    }
    a.withElements(as: Float.self) { pa in
        b.withElements(as: Float.self) { pb in
            out.withMutableElements(as: Float.self) { po in
                let pa = pa.baseAddress!, pb = pb.baseAddress!, po = po.baseAddress!
                guard let walk else {
                    context.parallelFor(out.count, minimumChunk: 1 << 16) { range in
                        ferry_binary_f32(kernel, pa + range.lowerBound, 1, pb + range.lowerBound, 1, po + range.lowerBound, range.count)
                    }
                    return
                }
                let length = walk.rowLength
                let sa = walk.rowStride(0), sb = walk.rowStride(1)
                context.parallelFor(walk.rowCount, minimumChunk: max(1, (1 << 16) / length)) { rows in
                    for row in rows {
                        ferry_binary_f32(kernel, pa + walk.offset(row: row, input: 0), sa, pb + walk.offset(row: row, input: 1), sb,
                                         po + row * length, length)
                    }
                }
            }
        }
    }
    return out
}

/// Applies a generic numeric function to every element of `x`.
public func mapNumeric<F: NumericUnaryFunction>(_ x: Tensor, _ context: ExecutionContext, _ f: F) throws -> Tensor {
    // The common types get code specialized for them; the rest run the generic path.
    switch x.dataType {
    case .float32: return mapUnary(x, context) { (v: Float) -> Float in f(v) }
    case .int64: return mapUnary(x, context) { (v: Int64) -> Int64 in f(v) }
    case .int32: return mapUnary(x, context) { (v: Int32) -> Int32 in f(v) }
    default: break
    }
    guard let type = x.dataType.numericType else {
        throw KernelError("expects a numeric input, got \(x.dataType)")
    }
    func open<T: NumericElement>(_: T.Type) -> Tensor { mapUnary(x, context) { (v: T) -> T in f(v) } }
    return open(type)
}

/// Combines two tensors of one numeric type with broadcasting (bfloat16 is computed in float32
/// and rounded back).
public func mapNumeric<F: NumericBinaryFunction>(_ a: Tensor, _ b: Tensor, _ context: ExecutionContext, _ f: F) throws -> Tensor {
    if a.dataType == .bfloat16 && b.dataType == .bfloat16 {
        return try Cast.convert(mapNumeric(Cast.convert(a, to: .float32), Cast.convert(b, to: .float32), context, f), to: .bfloat16)
    }
    guard a.dataType == b.dataType else {
        throw KernelError("inputs have different element types (\(a.dataType) and \(b.dataType))")
    }
    switch a.dataType {
    case .float32:
        if let kernel = F.float32Kernel { return try mapFloatRows(a, b, context, kernel) }
        return try mapBinary(a, b, context) { (x: Float, y: Float) -> Float in f(x, y) }
    case .int64: return try mapBinary(a, b, context) { (x: Int64, y: Int64) -> Int64 in f(x, y) }
    case .int32: return try mapBinary(a, b, context) { (x: Int32, y: Int32) -> Int32 in f(x, y) }
    default: break
    }
    guard let type = a.dataType.numericType else {
        throw KernelError("expects numeric inputs, got \(a.dataType)")
    }
    func open<T: NumericElement>(_: T.Type) throws -> Tensor { try mapBinary(a, b, context) { (x: T, y: T) -> T in f(x, y) } }
    return try open(type)
}

/// Compares two tensors of one type with broadcasting, giving a bool tensor.
public func compare<F: NumericComparison>(_ a: Tensor, _ b: Tensor, _ context: ExecutionContext, _ f: F) throws -> Tensor {
    guard a.dataType == b.dataType else {
        throw KernelError("inputs have different element types (\(a.dataType) and \(b.dataType))")
    }
    if a.dataType == .string {
        let x = a.storage.strings, y = b.storage.strings
        let shape = try Broadcast.checkedShape([a.shape, b.shape])
        let walk = BroadcastWalk(inputs: [a.shape, b.shape], outShape: shape)
        var result: [Bool] = []
        for row in 0..<walk.rowCount {
            let oa = walk.offset(row: row, input: 0), ob = walk.offset(row: row, input: 1)
            for j in 0..<walk.rowLength {
                let order = x[oa + j * walk.rowStride(0)] == y[ob + j * walk.rowStride(1)] ? 0 : (x[oa + j * walk.rowStride(0)] < y[ob + j * walk.rowStride(1)] ? -1 : 1)
                result.append(f(Int8(order), Int8(0)))
            }
        }
        return Tensor(shape: shape, values: result)
    }
    if a.dataType == .bool {
        return try mapBinary(a, b, context) { (x: Bool, y: Bool) -> Bool in f(x ? 1 as UInt8 : 0, y ? 1 : 0) }
    }
    switch a.dataType {
    case .float32: return try mapBinary(a, b, context) { (x: Float, y: Float) -> Bool in f(x, y) }
    case .int64: return try mapBinary(a, b, context) { (x: Int64, y: Int64) -> Bool in f(x, y) }
    default: break
    }
    guard let type = a.dataType.numericType else {
        throw KernelError("expects numeric inputs, got \(a.dataType)")
    }
    func open<T: NumericElement>(_: T.Type) throws -> Tensor { try mapBinary(a, b, context) { (x: T, y: T) -> Bool in f(x, y) } }
    return try open(type)
}

/// Applies a float function to a floating-point tensor (float16 is computed in float32).
/// Always inlined, so each op's closures are compiled into its own element loop.
@inline(__always)
public func mapFloat(_ x: Tensor, _ context: ExecutionContext,
                     _ f32: (Float) -> Float, _ f64: (Double) -> Double) throws -> Tensor {
    switch x.dataType {
    case .float32: return mapUnary(x, context, f32)
    case .float64: return mapUnary(x, context, f64)
    case .float16: return mapUnary(x, context) { (v: Float16) -> Float16 in Float16(f32(Float(v))) }
    case .bfloat16: return mapUnary(x, context) { (v: BFloat16) -> BFloat16 in BFloat16(f32(v.floatValue)) }
    default: throw KernelError("expects a floating-point input, got \(x.dataType)")
    }
}

extension Array where Element == Tensor? {
    /// Input `index`, which the operator requires.
    public func required(_ index: Int) throws -> Tensor {
        guard index < count, let value = self[index] else {
            throw KernelError("required input \(index) is missing")
        }
        return value
    }

    /// Input `index` when present.
    public func optional(_ index: Int) -> Tensor? {
        index < count ? self[index] : nil
    }
}
