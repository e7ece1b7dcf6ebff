import FerryIR

/// Compares tensors the way numpy's `assert_allclose` does: |actual − expected| ≤ atol + rtol·|expected|,
/// NaN matching NaN, exact equality for integers, bools and strings.
public enum TensorComparison {
    /// nil when the tensors agree; otherwise what differs, for a failure message.
    public static func mismatch(actual: Tensor, expected: Tensor, rtol: Double, atol: Double) -> String? {
        guard actual.dataType == expected.dataType else {
            return "element type \(actual.dataType), expected \(expected.dataType)"
        }
        guard actual.shape == expected.shape else {
            return "shape \(actual.shape), expected \(expected.shape)"
        }
        if actual.dataType == .string {
            return actual.storage.strings == expected.storage.strings ? nil : "strings differ"
        }
        let a = actual.doubles(), e = expected.doubles()
        var worst = 0.0
        var worstIndex = -1
        var failures = 0
        for index in 0..<a.count {
            let x = a[index], y = e[index]
            if x.isNaN || y.isNaN {
                if x.isNaN != y.isNaN { failures += 1; if worstIndex < 0 { worstIndex = index } }
                continue
            }
            if x == y { continue }
            let error = abs(x - y)
            if error > atol + rtol * abs(y) || !error.isFinite {
                failures += 1
                if error > worst || worstIndex < 0 { worst = error; worstIndex = index }
            }
        }
        guard failures > 0 else { return nil }
        return "\(failures) of \(a.count) elements differ; worst at \(worstIndex): \(a[worstIndex]) vs expected \(e[worstIndex]) (rtol \(rtol), atol \(atol))"
    }
}
