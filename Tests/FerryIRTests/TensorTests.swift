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

    @Test func storageViewSharesItsParentsBytesAndKeepsThemAlive() {
        var parent: Tensor? = Tensor(shape: [2, 16], values: (0..<32).map(Float.init))
        let view = Tensor(dataType: .float32, shape: [16], storage: TensorStorage(viewing: parent!.storage, offset: 64, byteCount: 64))
        #expect(view.storage.bytes == parent!.storage.bytes + 64)
        parent = nil
        #expect(view.elements(as: Float.self) == (16..<32).map(Float.init))
    }

    @Test func largeBuffersComeZeroedFreshAndReused() {
        // 3 MiB: mapped on its own (huge pages where offered), then recycled through the pool.
        let count = 3 << 18
        var first: Tensor? = Tensor(dataType: .float32, shape: [count])
        #expect(first!.elements(as: Float.self).allSatisfy { $0 == 0 })
        first!.withMutableElements(as: Float.self) { for i in $0.indices { $0[i] = 7 } }
        first = nil
        let second = Tensor(dataType: .float32, shape: [count])
        #expect(second.elements(as: Float.self).allSatisfy { $0 == 0 })
        let unzeroed = Tensor(dataType: .float32, shape: [count], zeroed: false)
        unzeroed.withMutableElements(as: Float.self) { $0[count - 1] = 1 }
        #expect(unzeroed.elements(as: Float.self)[count - 1] == 1)
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
