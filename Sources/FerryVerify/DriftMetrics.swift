import CFerryKernels
import FerryIR
import Foundation

/// Drift of one candidate tensor against its reference, element by element.
///
/// - `maxAbs`: max |a − b|; `meanAbs`: mean |a − b|;
/// - `rel`: ‖a − b‖₂ / ‖a‖₂ (0 when both are zero, +inf when only the reference is);
/// - `cosine`: a·b / (‖a‖₂‖b‖₂) (1 when both are zero, 0 when only one is);
/// - `snrDB`: 10·log10(‖a‖₂² / ‖a − b‖₂²) (+inf when identical).
///
/// Positions where both tensors hold the same infinity, or both NaN, count as equal; any other
/// non-finite difference makes the errors +inf and the similarities NaN, so no budget passes.
/// Sums run in Double in element order, so results are reproducible bit for bit.
public struct DriftMetrics: Sendable, Equatable {
    public var maxAbs: Double
    public var meanAbs: Double
    public var rel: Double
    public var cosine: Double
    public var snrDB: Double
    /// Elements compared.
    public var count: Int

    /// Compares `candidate` with `reference`; both must have the same shape. Any numeric or bool
    /// element types; an integer tensor is compared by value (dequantize it first if it is
    /// quantized).
    public static func compare(reference: Tensor, candidate: Tensor) throws -> DriftMetrics {
        guard reference.shape == candidate.shape else {
            throw VerifyError.shapeMismatch(reference: reference.shape, candidate: candidate.shape)
        }
        guard reference.dataType != .string, candidate.dataType != .string else {
            throw VerifyError.notNumeric(reference.dataType == .string ? reference.dataType : candidate.dataType)
        }
        if reference.dataType == .float32, candidate.dataType == .float32 {
            // Read in place and summed in C (the mixed-precision search compares every layer's
            // candidate this way; a Double copy of a recognizer's logits cost more than the run).
            return reference.withElements(as: Float.self) { a in candidate.withElements(as: Float.self) { b in PairSums(a, b) } }.metrics
        }
        return compare(reference.doubles(), candidate.doubles())
    }

    /// Compares two equally long value arrays (the reference first).
    public static func compare(_ reference: [Double], _ candidate: [Double]) -> DriftMetrics {
        PairSums(reference, candidate).metrics
    }
}

/// The running sums behind `DriftMetrics`, so that samples can be pooled without rounding.
struct PairSums {
    var count = 0
    var maxAbs = 0.0
    var sumAbs = 0.0
    var referenceSquares = 0.0
    var candidateSquares = 0.0
    var differenceSquares = 0.0
    var dot = 0.0
    var nonFinite = false

    /// The sums over two equally long collections of floating-point values (Double arrays, or
    /// float32 tensors read in place); each product is formed in Double, so the sums do not
    /// depend on the element type the values arrive in.
    init<A: RandomAccessCollection, B: RandomAccessCollection>(_ a: A, _ b: B)
        where A.Element: BinaryFloatingPoint, B.Element: BinaryFloatingPoint, A.Index == Int, B.Index == Int {
        precondition(a.count == b.count, "compared arrays differ in length")
        count = a.count
        for i in 0..<a.count {
            let x = Double(a[a.startIndex + i]), y = Double(b[b.startIndex + i])
            if !x.isFinite || !y.isFinite {
                if x == y || (x.isNaN && y.isNaN) { continue }
                nonFinite = true
                continue
            }
            let d = x - y
            let e = abs(d)
            if e > maxAbs { maxAbs = e }
            sumAbs += e
            differenceSquares += d * d
            referenceSquares += x * x
            candidateSquares += y * y
            dot += x * y
        }
    }

    /// Float32 values read in place (every layer of every sample goes through here): summed in
    /// C, four lanes per sum combined in a fixed order, so the result is the same on every run;
    /// a NaN or infinity falls back to the element-by-element rules.
    init(_ a: UnsafeBufferPointer<Float>, _ b: UnsafeBufferPointer<Float>) {
        precondition(a.count == b.count, "compared arrays differ in length")
        guard let pa = a.baseAddress, let pb = b.baseAddress, a.count > 0 else {
            self = PairSums(Array(a), Array(b))
            return
        }
        var sums = [Double](repeating: 0, count: 6)
        if ferry_pair_sums(pa, pb, a.count, &sums) != 0 {
            self = PairSums(Array(a), Array(b))
            return
        }
        count = a.count
        maxAbs = sums[0]
        sumAbs = sums[1]
        differenceSquares = sums[2]
        referenceSquares = sums[3]
        candidateSquares = sums[4]
        dot = sums[5]
    }

    /// Adds another collection's sums (for values compared in parts).
    mutating func merge(_ other: PairSums) {
        maxAbs = Swift.max(maxAbs, other.maxAbs)
        sumAbs += other.sumAbs
        differenceSquares += other.differenceSquares
        referenceSquares += other.referenceSquares
        candidateSquares += other.candidateSquares
        dot += other.dot
        nonFinite = nonFinite || other.nonFinite
    }

    var metrics: DriftMetrics {
        if nonFinite {
            return DriftMetrics(maxAbs: .infinity, meanAbs: .infinity, rel: .infinity, cosine: .nan, snrDB: .nan, count: count)
        }
        let rel: Double
        let snr: Double
        if differenceSquares == 0 {
            rel = 0
            snr = .infinity
        } else if referenceSquares == 0 {
            rel = .infinity
            snr = -.infinity
        } else {
            rel = (differenceSquares / referenceSquares).squareRoot()
            snr = 10 * log10(referenceSquares / differenceSquares)
        }
        let cosine: Double
        if referenceSquares == 0 || candidateSquares == 0 {
            cosine = referenceSquares == candidateSquares ? 1 : 0
        } else {
            cosine = min(1, max(-1, dot / (referenceSquares.squareRoot() * candidateSquares.squareRoot())))
        }
        return DriftMetrics(maxAbs: maxAbs, meanAbs: count == 0 ? 0 : sumAbs / Double(count), rel: rel,
                            cosine: cosine, snrDB: snr, count: count)
    }
}
