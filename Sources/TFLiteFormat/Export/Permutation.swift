/// Axis permutations as numpy's `transpose` uses them: `transpose(x, p).shape[i] == x.shape[p[i]]`.
///
/// Every exported value is stored as `transpose(source, p)` for some `p` (its layout); NCHW
/// activations are stored NHWC, p = [0, 2, 3, 1].
enum Permutation {
    static func identity(_ rank: Int) -> [Int] { Array(0..<rank) }

    static func isIdentity(_ p: [Int]) -> Bool { p.enumerated().allSatisfy { $0.offset == $0.element } }

    static func inverse(_ p: [Int]) -> [Int] {
        var result = Array(repeating: 0, count: p.count)
        for (i, axis) in p.enumerated() { result[axis] = i }
        return result
    }

    /// Channels last: [0, 2, 3, …, 1].
    static func channelsLast(_ rank: Int) -> [Int] {
        rank < 3 ? identity(rank) : [0] + Array(2..<rank) + [1]
    }

    static func apply<T>(_ p: [Int], to values: [T]) -> [T] { p.map { values[$0] } }

    /// The permutation that turns data stored in layout `from` into layout `to`.
    static func between(_ from: [Int], _ to: [Int]) -> [Int] {
        let inverse = inverse(from)
        return to.map { inverse[$0] }
    }

    /// Whether transposing a tensor of `shape` by `p` keeps its elements in row-major order
    /// (only size-1 axes move), so that a reshape does the same job.
    static func isReshape(_ p: [Int], shape: [Int]) -> Bool {
        let moved = p.filter { shape[$0] != 1 }
        return moved == moved.sorted()
    }

    /// The layout of a value after removing `removed` source axes from a value in layout `p`.
    static func removing(_ removed: Set<Int>, from p: [Int]) -> [Int] {
        let kept = p.filter { !removed.contains($0) }
        return kept.map { axis in axis - removed.filter { $0 < axis }.count }
    }
}
