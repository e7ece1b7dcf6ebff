import FerryIR

/// Multidirectional (numpy) broadcasting.
public enum Broadcast {
    /// The broadcast shape of `shapes`, or nil when they are incompatible.
    public static func shape(_ shapes: [[Int]]) -> [Int]? {
        let rank = shapes.map(\.count).max() ?? 0
        var result = Array(repeating: 1, count: rank)
        for shape in shapes {
            let offset = rank - shape.count
            for (axis, size) in shape.enumerated() {
                let current = result[offset + axis]
                if current == size || size == 1 { continue }
                if current == 1 { result[offset + axis] = size; continue }
                return nil
            }
        }
        return result
    }

    /// The broadcast shape, or a KernelError naming both shapes.
    public static func checkedShape(_ shapes: [[Int]]) throws -> [Int] {
        guard let result = shape(shapes) else {
            throw KernelError("shapes \(shapes.map { "[\($0.map(String.init).joined(separator: ","))]" }.joined(separator: " and ")) cannot be broadcast together")
        }
        return result
    }

    /// Element strides of `shape` seen through `outShape` (0 along broadcast axes).
    public static func strides(of shape: [Int], in outShape: [Int]) -> [Int] {
        let own = Tensor.strides(of: shape)
        let offset = outShape.count - shape.count
        return (0..<outShape.count).map { axis in
            axis < offset ? 0 : (shape[axis - offset] == 1 ? 0 : own[axis - offset])
        }
    }
}

/// Walks a broadcast output row by row: the innermost axis is a contiguous run in the output,
/// read from each input with a constant stride (1 or 0).
public struct BroadcastWalk {
    public let outShape: [Int]
    public let rowLength: Int
    public let rowCount: Int
    @usableFromInline let strides: [[Int]]

    public init(inputs: [[Int]], outShape: [Int]) {
        self.outShape = outShape
        // Merge adjacent axes where every input is contiguous or broadcast across both, so that
        // the inner row is as long as possible.
        var dims: [Int] = []
        var merged: [[Int]] = Array(repeating: [], count: inputs.count)
        let all = inputs.map { Broadcast.strides(of: $0, in: outShape) }
        for axis in 0..<outShape.count where outShape[axis] != 1 {
            let size = outShape[axis]
            if let last = dims.last, (0..<inputs.count).allSatisfy({ i in
                let prev = merged[i].last!, cur = all[i][axis]
                return (prev == 0 && cur == 0) || (cur != 0 && prev == cur * size)
            }) {
                dims[dims.count - 1] = last * size
                for i in 0..<inputs.count { merged[i][merged[i].count - 1] = all[i][axis] }
            } else {
                dims.append(size)
                for i in 0..<inputs.count { merged[i].append(all[i][axis]) }
            }
        }
        if dims.isEmpty { dims = [1]; merged = merged.map { _ in [0] } }
        rowLength = dims.last!
        rowCount = dims.dropLast().reduce(1, *)
        strides = merged
        self.dims = dims
    }

    @usableFromInline let dims: [Int]

    /// The stride along the row for input `i` (0 or 1 after merging).
    public func rowStride(_ i: Int) -> Int { strides[i].last! }

    /// The starting element offset of row `row` in input `i`.
    @inlinable
    public func offset(row: Int, input i: Int) -> Int {
        var remaining = row
        var offset = 0
        var axis = dims.count - 2
        while axis >= 0 {
            let size = dims[axis]
            offset += (remaining % size) * stridesAt(i, axis)
            remaining /= size
            axis -= 1
        }
        return offset
    }

    @usableFromInline
    func stridesAt(_ i: Int, _ axis: Int) -> Int { strides[i][axis] }
}
