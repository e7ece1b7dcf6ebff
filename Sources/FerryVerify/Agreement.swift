import FerryIR

/// How often a candidate classifier makes the reference's decision, row by row: each slice along
/// the last axis is one decision (a sample's class scores, or one time step of a sequence).
public struct Agreement: Sendable, Equatable {
    /// Decisions compared (rows of the last axis).
    public var rows: Int
    /// Rows whose candidate argmax equals the reference argmax.
    public var top1: Int
    /// Rows whose reference argmax is among the candidate's `k` highest scores.
    public var topK: Int
    /// The k used (the requested k capped at the last dimension).
    public var k: Int

    public init(rows: Int, top1: Int, topK: Int, k: Int) {
        self.rows = rows
        self.top1 = top1
        self.topK = topK
        self.k = k
    }

    /// Agreement of `candidate` with `reference` (equal shapes, last dimension the classes).
    /// Ties go to the lower index, as numpy's argmax does; NaN scores never win.
    public static func compare(reference: [Double], candidate: [Double], classes: Int, k: Int) -> Agreement {
        precondition(reference.count == candidate.count && classes > 0, "agreement needs equal arrays and classes > 0")
        let k = max(1, min(k, classes))
        let rows = reference.count / classes
        var top1 = 0, topK = 0
        for row in 0..<rows {
            let start = row * classes
            let expected = argmax(reference, start, classes)
            if argmax(candidate, start, classes) == expected { top1 += 1 }
            // Rank of the expected class among the candidate's scores (higher score first, then lower index).
            let score = candidate[start + expected]
            if score.isNaN { continue }
            var rank = 0
            for c in 0..<classes where c != expected {
                let other = candidate[start + c]
                if other > score || (other == score && c < expected) { rank += 1 }
            }
            if rank < k { topK += 1 }
        }
        return Agreement(rows: rows, top1: top1, topK: topK, k: k)
    }

    static func argmax(_ values: [Double], _ start: Int, _ count: Int) -> Int {
        var best = 0
        var bestValue = -Double.infinity
        var seen = false
        for i in 0..<count {
            let v = values[start + i]
            if v.isNaN { continue }
            if !seen || v > bestValue { best = i; bestValue = v; seen = true }
        }
        return best
    }
}
