import FerryIR
import FerryVerify
import Testing

@Suite struct DriftMetricsTests {
    @Test func handComputedPair() throws {
        // a = [1, 2, 3, 4], b = [1, 2, 3, 5]: one error of 1; ‖a‖² = 30, ‖b‖² = 39, a·b = 34.
        let m = try DriftMetrics.compare(reference: Tensor(shape: [2, 2], values: [Float](arrayLiteral: 1, 2, 3, 4)),
                                         candidate: Tensor(shape: [2, 2], values: [Float](arrayLiteral: 1, 2, 3, 5)))
        #expect(m.maxAbs == 1)
        #expect(m.meanAbs == 0.25)
        #expect(abs(m.rel - 1 / 30.0.squareRoot()) < 1e-15)
        #expect(abs(m.cosine - 34 / (30.0.squareRoot() * 39.0.squareRoot())) < 1e-15)
        #expect(abs(m.snrDB - 10 * 1.4771212547196624) < 1e-12)   // 10·log10(30)
        #expect(m.count == 4)
    }

    @Test func identicalTensorsHaveNoDrift() throws {
        let t = Tensor(shape: [3], values: [Float](arrayLiteral: -1, 0.5, 7))
        let m = try DriftMetrics.compare(reference: t, candidate: t)
        #expect(m.maxAbs == 0 && m.meanAbs == 0 && m.rel == 0 && m.cosine == 1)
        #expect(m.snrDB == .infinity)
    }

    @Test func zeroReferences() {
        let both = DriftMetrics.compare([0, 0], [0, 0])
        #expect(both.cosine == 1 && both.rel == 0 && both.snrDB == .infinity)
        let one = DriftMetrics.compare([0, 0], [0, 2])
        #expect(one.cosine == 0 && one.rel == .infinity && one.snrDB == -.infinity && one.maxAbs == 2 && one.meanAbs == 1)
    }

    @Test func oppositeSignsGiveNegativeCosine() {
        let m = DriftMetrics.compare([1, 2], [-1, -2])
        #expect(abs(m.cosine + 1) < 1e-15)
        #expect(m.rel == 2)   // ‖a − b‖ = 2‖a‖
        #expect(abs(m.snrDB - -6.020599913279624) < 1e-12)   // 10·log10(5 / 20)
    }

    @Test func nonFiniteDifferencesFailEverything() {
        let m = DriftMetrics.compare([1, 2, 3], [1, .nan, 3])
        #expect(m.maxAbs == .infinity && m.rel == .infinity)
        #expect(m.cosine.isNaN && m.snrDB.isNaN)
        // The same infinity or NaN on both sides is agreement.
        let same = DriftMetrics.compare([1, .infinity, .nan], [1, .infinity, .nan])
        #expect(same.maxAbs == 0 && same.cosine == 1)
    }

    @Test func integerAndFloat16TensorsCompareByValue() throws {
        let m = try DriftMetrics.compare(reference: Tensor(shape: [2], values: [Int8](arrayLiteral: 3, -4)),
                                         candidate: Tensor(shape: [2], values: [Int8](arrayLiteral: 3, -2)))
        #expect(m.maxAbs == 2 && m.meanAbs == 1)
        let h = try DriftMetrics.compare(reference: Tensor(shape: [1], values: [Float16](arrayLiteral: 1.5)),
                                         candidate: Tensor(shape: [1], values: [Float16](arrayLiteral: 1.25)))
        #expect(h.maxAbs == 0.25)
    }

    @Test func shapesMustMatch() {
        #expect(throws: VerifyError.self) {
            try DriftMetrics.compare(reference: Tensor(shape: [2], values: [Float](arrayLiteral: 1, 2)),
                                     candidate: Tensor(shape: [1, 2], values: [Float](arrayLiteral: 1, 2)))
        }
    }
}
