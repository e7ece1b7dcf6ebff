import FerryIR
import FerryVerify
import Testing

@Suite struct AgreementTests {
    // Row 0: reference picks class 1, candidate class 2 (class 1 second); row 1: both pick class 0.
    let reference: [Double] = [0.1, 0.7, 0.2, 0.5, 0.3, 0.2]
    let candidate: [Double] = [0.1, 0.2, 0.7, 0.6, 0.3, 0.1]

    @Test func topOneAndTopK() {
        let two = Agreement.compare(reference: reference, candidate: candidate, classes: 3, k: 2)
        #expect(two == Agreement(rows: 2, top1: 1, topK: 2, k: 2))
        let one = Agreement.compare(reference: reference, candidate: candidate, classes: 3, k: 1)
        #expect(one.topK == 1 && one.top1 == 1)
    }

    @Test func kIsCappedAtTheClassCount() {
        #expect(Agreement.compare(reference: reference, candidate: candidate, classes: 3, k: 5).k == 3)
    }

    @Test func tiesGoToTheLowerIndex() {
        // The candidate ties classes 0 and 1; argmax takes 0, so it disagrees with reference class 1,
        // and class 1 ranks second.
        let a = Agreement.compare(reference: [0, 1, 0], candidate: [0.5, 0.5, 0], classes: 3, k: 1)
        #expect(a.top1 == 0 && a.topK == 0)
        let b = Agreement.compare(reference: [0, 1, 0], candidate: [0.5, 0.5, 0], classes: 3, k: 2)
        #expect(b.topK == 1)
    }

    @Test func accumulatorPoolsSamples() {
        var accumulator = DriftAccumulator(k: 2)
        // Sample 1 identical; sample 2 as above. Errors of sample 2: 0, 0.5, 0.5, 0.1, 0, 0.1.
        accumulator.add(reference: reference, candidate: reference, classes: 3)
        accumulator.add(reference: reference, candidate: candidate, classes: 3)
        let drift = accumulator.result
        let second = DriftMetrics.compare(reference, candidate)
        #expect(drift.samples == 2)
        #expect(drift.maxAbs == second.maxAbs)
        #expect(abs(drift.meanAbs - (0.5 + 0.5 + 0.1 + 0.1) / 12) < 1e-15)
        #expect(drift.rel == second.rel)              // worst sample
        #expect(drift.relMean == second.rel / 2)     // mean of 0 and the second
        #expect(drift.cosine == second.cosine)
        #expect(drift.cosineMean == (1 + second.cosine) / 2)
        #expect(drift.snrDB == second.snrDB)
        #expect(drift.top1 == 0.75 && drift.topK == 1 && drift.k == 2)   // 3 of 4 rows agree on top-1
        #expect(drift.value(of: .top1) == 0.75 && drift.value(of: .cosine) == second.cosine)
    }

    @Test func noAgreementWithoutClasses() {
        var accumulator = DriftAccumulator()
        accumulator.add(reference: [1, 2], candidate: [1, 2])
        #expect(accumulator.result.top1 == nil && accumulator.result.value(of: .topK) == nil)
    }
}
