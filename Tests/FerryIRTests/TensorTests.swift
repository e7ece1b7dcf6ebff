import FerryIR
import Testing

@Suite struct TensorTests {
    @Test func rowMajorStrides() {
        #expect(Tensor.strides(of: [2, 3, 4]) == [12, 4, 1])
        #expect(Tensor.strides(of: []) == [])
    }

    @Test func reshapeSharesStorage() {
        let t = Tensor(shape: [2, 3], values: [Float](arrayLiteral: 1, 2, 3, 4, 5, 6))
        let r = t.reshaped([3, 2])
        #expect(r.storage === t.storage)
        #expect(r.elements(as: Float.self) == [1, 2, 3, 4, 5, 6])
    }

    @Test func castingFollowsONNXRules() {
        #expect(Int8(castingFrom: 3.9) == 3)
        #expect(Int8(castingFrom: -3.9) == -3)
        #expect(UInt8(castingFrom: 300) == 44)
        #expect(Int32(castingFrom: .nan) == 0)
        #expect(Float16(castingFrom: 65520) == .infinity)
    }

    @Test func bfloat16RoundsToNearestEven() {
        #expect(BFloat16(Float(1.0)).bits == 0x3F80)
        // 1 + 2^-8 lies exactly between two bfloat16 values: ties go to the even one (1.0).
        #expect(BFloat16(Float(1.00390625)).bits == 0x3F80)
        #expect(BFloat16(Float(1.01171875)).bits == 0x3F82)
        #expect(BFloat16(Float.nan).floatValue.isNaN)
    }

    @Test func integerArithmeticWrapsAndNeverTraps() {
        #expect(Int8.add(127, 1) == -128)
        #expect(Int32.divide(7, 0) == 0)
        #expect(Int64.divide(.min, -1) == .min)
        #expect(Int32.divide(-7, 2) == -3)
    }
}
