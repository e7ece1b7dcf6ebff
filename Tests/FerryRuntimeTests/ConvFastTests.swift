import CFerryKernels
import FerryIR
import FerryRuntime
import Testing

/// The fast convolution and GEMM against the plain reference kernels, on odd sizes with a fixed
/// seed (as ncnn's test_layer does), for every split across threads.
@Suite struct ConvFastTests {
    struct Case: CustomStringConvertible, Sendable {
        var n = 1, c = 3, h = 7, w = 9, m = 5, kh = 3, kw = 3, group = 1
        var strides = [1, 1], dilations = [1, 1], pads = [1, 1, 1, 1]
        var description: String { "N\(n) C\(c) \(h)x\(w) M\(m) k\(kh)x\(kw) g\(group) s\(strides) d\(dilations) p\(pads)" }
    }

    static let cases: [Case] = [
        Case(),
        Case(c: 4, h: 5, w: 5, m: 4, kh: 1, kw: 1, pads: [0, 0, 0, 0]),
        Case(c: 8, h: 9, w: 11, m: 8, group: 8),
        Case(c: 8, h: 10, w: 10, m: 8, group: 8, strides: [2, 2]),
        Case(c: 6, h: 8, w: 13, m: 9, group: 3, strides: [2, 1], dilations: [1, 2], pads: [0, 2, 1, 0]),
        Case(n: 2, c: 17, h: 6, w: 6, m: 33, kh: 3, kw: 1, pads: [1, 0, 1, 0]),
        Case(c: 3, h: 15, w: 15, m: 70, kh: 5, kw: 5, strides: [3, 3], pads: [2, 2, 2, 2]),
        // Depthwise windows of every width the fast path special-cases, and one it does not.
        Case(c: 6, h: 13, w: 11, m: 6, kh: 5, kw: 5, group: 6, strides: [2, 2], pads: [2, 2, 2, 2]),
        Case(c: 5, h: 9, w: 14, m: 5, kh: 5, kw: 5, group: 5, pads: [2, 2, 2, 2]),
        Case(c: 4, h: 7, w: 7, m: 4, kh: 3, kw: 3, group: 4, strides: [2, 2], pads: [0, 0, 1, 1]),
        Case(c: 4, h: 12, w: 12, m: 4, kh: 3, kw: 3, group: 4, dilations: [2, 2], pads: [2, 2, 2, 2]),
        Case(c: 3, h: 10, w: 9, m: 3, kh: 7, kw: 4, group: 3, strides: [1, 3], pads: [3, 1, 3, 2]),
        // 3×3 depthwise rows wide enough for the row loops (the narrow ones run flat), strides
        // 1 and 2 across, and a tall stride (the flat loop's reach past the last row).
        Case(c: 3, h: 5, w: 70, m: 3, group: 3),
        Case(c: 3, h: 6, w: 71, m: 3, group: 3, strides: [2, 2]),
        Case(c: 4, h: 11, w: 9, m: 4, group: 4, strides: [3, 2], pads: [1, 0, 1, 1]),
        Case(c: 2, h: 4, w: 40, m: 2, group: 2, strides: [1, 2], pads: [0, 1, 0, 0]),
        // More output channels than one packed row block, on a plane small enough to split rows.
        Case(c: 8, h: 3, w: 3, m: 150, kh: 1, kw: 1, pads: [0, 0, 0, 0]),
    ]

    /// Relu and Clip go in as the kernels store each value, other activations after; either way
    /// the same bits as the plain convolution followed by the activation.
    @Test(arguments: [FusedActivation.relu, .clip(min: -0.25, max: 0.5), .sigmoid])
    func fusedActivationMatchesTheOpAfterwards(_ activation: FusedActivation) throws {
        for c in [Self.cases[0], Self.cases[3], Self.cases[12], Self.cases[13], Self.cases[16]] {
            var random = SeededRandom(seed: 7)
            let x = Tensor(shape: [c.n, c.c, c.h, c.w], values: (0..<(c.n * c.c * c.h * c.w)).map { _ in random.float() })
            let w = Tensor(shape: [c.m, c.c / c.group, c.kh, c.kw], values: (0..<(c.m * c.c / c.group * c.kh * c.kw)).map { _ in random.float() })
            let b = Tensor(shape: [c.m], values: (0..<c.m).map { _ in random.float() })
            let geometry = try windowGeometry(c)
            let packed = ConvFast.PackedWeights(w, group: c.group)
            for threads in [1, 2] {
                let context = ExecutionContext(threads: threads)
                let plain = ConvFast.run(x: x, w: w, bias: b, geometry: geometry, group: c.group, context: context, packed: packed)
                var expected = plain.elements(as: Float.self)
                expected.withUnsafeMutableBufferPointer { activation.apply($0.baseAddress!, $0.count) }
                for prepacked in [nil, packed] {
                    let fused = ConvFast.run(x: x, w: w, bias: b, geometry: geometry, group: c.group, context: context,
                                             packed: prepacked, activation: activation)
                    #expect(fused.elements(as: Float.self).map(\.bitPattern) == expected.map(\.bitPattern), "\(c), threads \(threads)")
                }
            }
        }
    }

    /// The bias-and-clamp GEMM against filling C with the bias, accumulating and clamping
    /// afterwards: the same bits, for any split of the row blocks, NaN and signed zero included.
    @Test func biasClampGemmMatchesFillAccumulateClamp() {
        var random = SeededRandom(seed: 3)
        for (m, n, k) in [(1, 1, 1), (7, 19, 5), (150, 33, 300), (73, 16, 0)] {
            var a = (0..<(m * max(k, 1))).map { _ in random.float() }
            let b = (0..<(max(k, 1) * n)).map { _ in random.float() }
            var bias = (0..<m).map { _ in random.float() }
            bias[0] = -0.0
            if k > 0 { a[0] = .nan }
            var packed = [Float](repeating: 0, count: ferry_sgemm_packed_size(Int32(m), Int32(max(k, 1))))
            ferry_sgemm_pack(Int32(m), Int32(k), a, Int32(k), &packed)
            var expected = (0..<(m * n)).map { bias[$0 / n] }
            ferry_sgemm_prepacked(Int32(m), Int32(n), Int32(k), packed, b, Int32(n), &expected, Int32(n), 1)
            expected = expected.map { Swift.min(Swift.max($0, 0), 0.75) }
            let blocks = (m + Int(FERRY_SGEMM_ROW_BLOCK) - 1) / Int(FERRY_SGEMM_ROW_BLOCK)
            for split in Set([0, blocks / 2, blocks]) {
                var c = [Float](repeating: 7, count: m * n)
                ferry_sgemm_prepacked_bias(Int32(m), Int32(n), Int32(k), packed, b, Int32(n), &c, Int32(n), bias, 1, 0, 0.75, 0, Int32(split))
                ferry_sgemm_prepacked_bias(Int32(m), Int32(n), Int32(k), packed, b, Int32(n), &c, Int32(n), bias, 1, 0, 0.75,
                                           Int32(split), Int32(blocks))
                #expect(c.map(\.bitPattern) == expected.map(\.bitPattern), "m \(m) n \(n) k \(k) split \(split)")
            }
        }
    }

    @Test(arguments: cases)
    func fastConvMatchesReference(_ c: Case) throws {
        var random = SeededRandom(seed: 42)
        let x = Tensor(shape: [c.n, c.c, c.h, c.w], values: (0..<(c.n * c.c * c.h * c.w)).map { _ in random.float() })
        let w = Tensor(shape: [c.m, c.c / c.group, c.kh, c.kw], values: (0..<(c.m * c.c / c.group * c.kh * c.kw)).map { _ in random.float() })
        let b = Tensor(shape: [c.m], values: (0..<c.m).map { _ in random.float() })
        let geometry = try windowGeometry(c)
        let reference = ConvReference.run(x: x, w: w, bias: b, geometry: geometry, group: c.group).elements(as: Float.self)
        let packed = ConvFast.PackedWeights(w, group: c.group)
        var first: [Float]? = nil
        for threads in [1, 2, 3] {
            let fast = ConvFast.run(x: x, w: w, bias: b, geometry: geometry, group: c.group, context: ExecutionContext(threads: threads))
            let values = fast.elements(as: Float.self)
            #expect(values.count == reference.count)
            let worst = zip(values, reference).map { abs($0 - $1) / max(1, abs($1)) }.max() ?? 0
            #expect(worst < 1e-5, "threads \(threads): relative error \(worst)")
            // Weights packed at load give the same bits as packing on each call, for any split.
            let prepacked = ConvFast.run(x: x, w: w, bias: b, geometry: geometry, group: c.group,
                                         context: ExecutionContext(threads: threads), packed: packed)
            #expect(prepacked.elements(as: Float.self) == values)
            if let first { #expect(first == values, "threads \(threads) changed the result") } else { first = values }
        }
    }

    func windowGeometry(_ c: Case) throws -> WindowGeometry {
        let oh = (c.h + c.pads[0] + c.pads[2] - ((c.kh - 1) * c.dilations[0] + 1)) / c.strides[0] + 1
        let ow = (c.w + c.pads[1] + c.pads[3] - ((c.kw - 1) * c.dilations[1] + 1)) / c.strides[1] + 1
        return WindowGeometry(input: [c.h, c.w], kernel: [c.kh, c.kw], strides: c.strides, dilations: c.dilations,
                              padBegin: [c.pads[0], c.pads[1]], padEnd: [c.pads[2], c.pads[3]], output: [oh, ow])
    }

    @Test(arguments: [(1, 1, 1), (7, 5, 3), (6, 16, 256), (13, 37, 300), (64, 100, 7)])
    func gemmKernelsAgreeWithNaiveProduct(_ size: (Int, Int, Int)) {
        let (m, n, k) = size
        var random = SeededRandom(seed: 7)
        let a = (0..<(m * k)).map { _ in random.float() }, b = (0..<(k * n)).map { _ in random.float() }
        var expected = [Float](repeating: 0, count: m * n)
        for i in 0..<m { for j in 0..<n { var s: Float = 0; for p in 0..<k { s += a[i * k + p] * b[p * n + j] }; expected[i * n + j] = s } }
        var results: [[Float]] = []
        for portable in [Int32(0), 1] {
            ferry_sgemm_force_portable(portable)
            var c = [Float](repeating: 0, count: m * n)
            ferry_sgemm(Int32(m), Int32(n), Int32(k), a, Int32(k), b, Int32(n), &c, Int32(n), 0)
            results.append(c)
            var bt = [Float](repeating: 0, count: k * n)
            for p in 0..<k { for j in 0..<n { bt[j * k + p] = b[p * n + j] } }
            var ct = [Float](repeating: 0, count: m * n)
            ferry_sgemm_bt(Int32(m), Int32(n), Int32(k), a, Int32(k), bt, Int32(k), &ct, Int32(n), 0)
            #expect(ct == c, "transposed-B packing must give the same sums")
        }
        ferry_sgemm_force_portable(0)
        // Both micro-kernels use fused multiply-adds in the same order: bit-identical results.
        #expect(results[0] == results[1])
        let worst = zip(results[0], expected).map { abs($0 - $1) / max(1, abs($1)) }.max() ?? 0
        #expect(worst < 1e-4)
    }

    /// Packing is shared by whoever packs the very same weight tensor while a packing of it is
    /// alive, never by an equal tensor in other storage nor across a different group count.
    @Test func packingIsSharedForTheSameWeightsOnly() {
        let w = Tensor(shape: [8, 4, 3, 3], values: (0..<288).map { Float($0 % 13) / 7 - 1 })
        let first = ConvFast.PackedWeights.shared(w, group: 1)
        #expect(ConvFast.PackedWeights.shared(w, group: 1) === first)
        #expect(ConvFast.PackedWeights.shared(w.copy(), group: 1) !== first)
        #expect(ConvFast.PackedWeights.shared(w, group: 2) !== first)
    }
}

/// A small deterministic generator for test data.
struct SeededRandom {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E3779B97F4A7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58476D1CE4E5B9
        z = (z ^ (z >> 27)) &* 0x94D049BB133111EB
        return z ^ (z >> 31)
    }
    mutating func float() -> Float { Float(next() >> 40) / Float(1 << 24) * 2 - 1 }

}
