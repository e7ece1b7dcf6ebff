import FerryIR

extension Tensor {
    /// A new tensor of `shape` whose element i is this tensor's element `sources[i]`.
    /// Works for every element type; data movement ops describe themselves this way.
    public func gathering(_ sources: [Int], shape: [Int]) -> Tensor {
        let out = Tensor(dataType: dataType, shape: shape, zeroed: sources.count != shape.reduce(1, *))
        if dataType == .string {
            out.storage.strings = sources.map { storage.strings[$0] }
            return out
        }
        let src = UnsafeRawPointer(storage.bytes), dst = out.storage.bytes
        switch dataType.byteSize {
        case 1: Tensor.move(UInt8.self, src, dst, sources)
        case 2: Tensor.move(UInt16.self, src, dst, sources)
        case 4: Tensor.move(UInt32.self, src, dst, sources)
        default: Tensor.move(UInt64.self, src, dst, sources)
        }
        return out
    }

    /// The source offsets of a strided view: element i of `shape` (row-major) reads
    /// `base + Σ index[axis]·strides[axis]`. Transpose, Slice and Expand describe themselves so.
    public static func stridedSources(shape: [Int], strides: [Int], base: Int = 0) -> [Int] {
        let count = shape.reduce(1, *)
        var sources = [Int](repeating: 0, count: count)
        var index = [Int](repeating: 0, count: shape.count)
        var offset = base
        for i in 0..<count {
            sources[i] = offset
            var axis = shape.count - 1
            while axis >= 0 {
                index[axis] += 1
                offset += strides[axis]
                if index[axis] < shape[axis] { break }
                offset -= strides[axis] * shape[axis]
                index[axis] = 0
                axis -= 1
            }
        }
        return sources
    }

    @inline(__always)
    static func move<T>(_: T.Type, _ src: UnsafeRawPointer, _ dst: UnsafeMutableRawPointer, _ sources: [Int]) {
        let from = src.assumingMemoryBound(to: T.self), to = dst.assumingMemoryBound(to: T.self)
        sources.withUnsafeBufferPointer { indices in
            for (i, s) in indices.enumerated() { to[i] = from[s] }
        }
    }

    /// Copies `count` elements from `self[from...]` into `destination[to...]` (same element type).
    public func copyElements(from: Int, into destination: Tensor, at to: Int, count: Int) {
        guard count > 0 else { return }
        if dataType == .string {
            for i in 0..<count { destination.storage.strings[to + i] = storage.strings[from + i] }
            return
        }
        let size = dataType.byteSize
        (destination.storage.bytes + to * size).copyMemory(from: storage.bytes + from * size, byteCount: count * size)
    }
}

/// Axis arithmetic shared by shape-manipulating ops.
public enum Axis {
    /// Resolves a possibly negative axis against `rank`, or throws naming the axis.
    public static func normalize(_ axis: Int, rank: Int) throws -> Int {
        let resolved = axis < 0 ? axis + rank : axis
        guard resolved >= 0 && resolved < max(rank, 1) else {
            throw KernelError("axis \(axis) is out of range for rank \(rank)")
        }
        return resolved
    }
}

/// Limits on shapes that come from data (Reshape targets, Expand shapes, Range lengths…).
public enum ShapeCheck {
    /// The most elements one tensor may have: 2^32 (16 GiB of float32).
    public static let maximumElements = 1 << 32

    /// The element count of `shape`, or a KernelError when a dimension is negative or the count
    /// overflows or exceeds `maximumElements`.
    @discardableResult
    public static func count(_ shape: [Int]) throws -> Int {
        var total = 1
        for dim in shape {
            guard dim >= 0 else { throw KernelError("shape \(shape) has a negative dimension") }
            let (product, overflow) = total.multipliedReportingOverflow(by: dim)
            guard !overflow, product <= maximumElements else {
                throw KernelError("shape \(shape) has more than \(maximumElements) elements")
            }
            total = product
        }
        return total
    }
}

extension Tensor {
    /// This tensor with its axes reordered: axis i of the result is axis `perm[i]` of this one
    /// (ONNX Transpose), any element type.
    public func transposed(_ perm: [Int]) -> Tensor {
        precondition(perm.count == rank && Set(perm) == Set(0..<rank), "perm \(perm) for rank \(rank)")
        if perm == Array(0..<rank) { return self }
        let inStrides = Tensor.strides(of: shape)
        let outShape = perm.map { shape[$0] }
        return gathering(Tensor.stridedSources(shape: outShape, strides: perm.map { inStrides[$0] }), shape: outShape)
    }
}
