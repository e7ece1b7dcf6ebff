/// Deterministic 1-D k-means for weight palettization (`constexpr_lut_to_dense`): the same
/// weights always give the same look-up table and indices, on any machine.
///
/// Centroids start at evenly spaced quantiles of the sorted weights (the middle of each of the
/// 2^bits equal-count slices); Lloyd iterations then move each centroid to the mean of its
/// members until no centroid moves (or `maxIterations`). A weight goes to the nearest centroid,
/// the lower index on a tie; an empty cluster keeps its centroid.
public enum Palettizer {
    /// The bit widths `constexpr_lut_to_dense` (iOS 16) takes: a table of 2, 4, 16, 64 or 256 entries.
    public static let allowedBits: Set<Int> = [1, 2, 4, 6, 8]
    public static let maxIterations = 100

    /// The table (ascending) and each weight's index into it.
    public static func palettize(_ values: [Float], bits: Int) -> (lut: [Float], indices: [Int]) {
        precondition(allowedBits.contains(bits) && !values.isEmpty)
        let k = 1 << bits
        let sorted = values.sorted()
        let n = sorted.count
        var centroids = (0..<k).map { Double(sorted[min(n - 1, (2 * $0 + 1) * n / (2 * k))]) }
        for _ in 0..<maxIterations {
            var sums = [Double](repeating: 0, count: k), counts = [Int](repeating: 0, count: k)
            for value in sorted {
                let j = nearest(Double(value), in: centroids)
                sums[j] += Double(value)
                counts[j] += 1
            }
            var moved = false
            for index in 0..<k where counts[index] > 0 {
                let mean = sums[index] / Double(counts[index])
                if mean != centroids[index] { centroids[index] = mean; moved = true }
            }
            if !moved { break }
            // An empty cluster keeps its centroid while its neighbours move: keep the order.
            centroids.sort()
        }
        let lut = centroids.map { Float($0) }
        return (lut, values.map { nearest(Double($0), in: centroids) })
    }

    /// The index of the centroid nearest to `value` (ascending centroids; the lower on a tie).
    static func nearest(_ value: Double, in centroids: [Double]) -> Int {
        var low = 0, high = centroids.count
        while low < high {
            let mid = (low + high) / 2
            if centroids[mid] < value { low = mid + 1 } else { high = mid }
        }
        if low == centroids.count { return low - 1 }
        if low == 0 { return 0 }
        // Equal centroids: the first of them.
        var candidate = low - 1
        while candidate > 0 && centroids[candidate - 1] == centroids[candidate] { candidate -= 1 }
        return abs(value - centroids[low - 1]) <= abs(value - centroids[low]) ? candidate : low
    }
}

/// Bit fields packed one byte at a time from the least significant bit up, as MIL's
/// constexpr ops store palette indices and sparsity masks.
public enum BitPacking {
    public static func pack(_ values: [Int], bits: Int) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: (values.count * bits + 7) / 8)
        var position = 0
        for value in values {
            for bit in 0..<bits {
                if (value >> bit) & 1 == 1 { bytes[position >> 3] |= 1 << UInt8(position & 7) }
                position += 1
            }
        }
        return bytes
    }

    public static func unpack(_ bytes: [UInt8], bits: Int, count: Int) -> [Int] {
        var values = [Int](repeating: 0, count: count)
        var position = 0
        for index in 0..<count {
            var value = 0
            for bit in 0..<bits {
                if (bytes[position >> 3] >> UInt8(position & 7)) & 1 == 1 { value |= 1 << bit }
                position += 1
            }
            values[index] = value
        }
        return values
    }
}
