import FerryIR
import Testing

/// float8, float6, float4, float8e8m0 and the 4- and 2-bit integers: decoding, rounding to
/// nearest even, NaN and infinity rules, saturation, and wrapping, against values worked out by
/// hand from the formats and against what ml_dtypes (which generates ONNX's expected outputs) gives.
@Suite struct LowPrecisionTests {
    static let formats: [(String, MiniFloatFormat)] = [
        ("e4m3fn", .e4m3fn), ("e4m3fnuz", .e4m3fnuz), ("e5m2", .e5m2), ("e5m2fnuz", .e5m2fnuz),
        ("e2m1", .e2m1), ("e2m3", .e2m3), ("e3m2", .e3m2),
    ]

    @Test func largestFiniteValues() {
        #expect(MiniFloatFormat.e4m3fn.greatestFiniteMagnitude == 448)
        #expect(MiniFloatFormat.e4m3fnuz.greatestFiniteMagnitude == 240)
        #expect(MiniFloatFormat.e5m2.greatestFiniteMagnitude == 57344)
        #expect(MiniFloatFormat.e5m2fnuz.greatestFiniteMagnitude == 57344)
        #expect(MiniFloatFormat.e2m1.greatestFiniteMagnitude == 6)
        #expect(MiniFloatFormat.e2m3.greatestFiniteMagnitude == 7.5)
        #expect(MiniFloatFormat.e3m2.greatestFiniteMagnitude == 28)
    }

    @Test func decodesKnownCodes() {
        #expect(MiniFloatFormat.e4m3fn.decode(0x38) == 1)
        #expect(MiniFloatFormat.e4m3fn.decode(0x01) == 0x1p-9)       // smallest subnormal
        #expect(MiniFloatFormat.e4m3fn.decode(0x08) == 0x1p-6)       // smallest normal
        #expect(MiniFloatFormat.e4m3fn.decode(0x80).sign == .minus)  // −0
        #expect(MiniFloatFormat.e4m3fn.decode(0x7F).isNaN && MiniFloatFormat.e4m3fn.decode(0xFF).isNaN)
        #expect(MiniFloatFormat.e4m3fnuz.decode(0x40) == 1)
        #expect(MiniFloatFormat.e4m3fnuz.decode(0x80).isNaN)
        #expect(MiniFloatFormat.e5m2.decode(0x3C) == 1)
        #expect(MiniFloatFormat.e5m2.decode(0x7C) == .infinity && MiniFloatFormat.e5m2.decode(0xFC) == -.infinity)
        #expect(MiniFloatFormat.e5m2.decode(0x7D).isNaN && MiniFloatFormat.e5m2.decode(0xFF).isNaN)
        #expect(MiniFloatFormat.e5m2fnuz.decode(0x40) == 1 && MiniFloatFormat.e5m2fnuz.decode(0x80).isNaN)
        #expect((0..<16).map { MiniFloatFormat.e2m1.decode(UInt8($0)) } == [0, 0.5, 1, 1.5, 2, 3, 4, 6, -0.0, -0.5, -1, -1.5, -2, -3, -4, -6])
        #expect(MiniFloatFormat.e2m3.decode(0x01) == 0.125 && MiniFloatFormat.e3m2.decode(0x01) == 0.0625)
    }

    @Test(arguments: formats.map(\.0))
    func everyCodeSurvivesDecodeAndEncode(_ name: String) {
        let format = Self.formats.first { $0.0 == name }!.1
        for code in 0..<(1 << format.bitWidth) {
            let value = format.decode(UInt8(code))
            let again = format.encode(value, saturate: false)
            if value.isNaN {
                #expect(format.decode(again).isNaN, "\(name) code \(code)")
            } else {
                #expect(again == UInt8(code), "\(name): code \(code) = \(value) encodes as \(again)")
            }
        }
    }

    /// Every float16 value against a brute-force search for the nearest finite value, ties to
    /// the even code, saturating.
    @Test(arguments: formats.map(\.0))
    func roundsToNearestEvenLikeABruteForceSearch(_ name: String) {
        let format = Self.formats.first { $0.0 == name }!.1
        let signBit = 1 << (format.bitWidth - 1)
        let candidates = (0..<signBit).map { UInt8($0) }.filter { format.decode($0).isFinite }
        for pattern in stride(from: 0, to: 0x7C00, by: 3) {
            let value = Double(Float16(bitPattern: UInt16(pattern)))
            var best = candidates[0]
            for code in candidates {
                let d = abs(format.decode(code) - value), b = abs(format.decode(best) - value)
                if d < b || (d == b && code & 1 == 0 && best & 1 == 1) { best = code }
            }
            let encoded = format.encode(value, saturate: true)
            #expect(encoded == best, "\(name): \(value) gave \(format.decode(encoded)), nearest is \(format.decode(best))")
            if encoded != best { return }
            let negative = format.encode(-value, saturate: true)
            if format.specials == .unsignedZeroNaN && best == 0 { #expect(negative == 0) } else { #expect(negative == UInt8(signBit) | best) }
        }
    }

    @Test func breaksTiesToEven() {
        let f = MiniFloatFormat.e4m3fn
        #expect(f.decode(f.encode(1.0625, saturate: true)) == 1)      // halfway 1 ↔ 1.125: mantissa 0 wins
        #expect(f.decode(f.encode(1.1875, saturate: true)) == 1.25)   // halfway 1.125 ↔ 1.25
        #expect(f.encode(0x1p-10, saturate: true) == 0)               // half the smallest subnormal
        #expect(f.decode(f.encode(3 * 0x1p-10, saturate: true)) == 0x1p-8)
        #expect(f.decode(f.encode(0x1p-10 + 0x1p-30, saturate: true)) == 0x1p-9)  // just past halfway
        let e2m1 = MiniFloatFormat.e2m1
        #expect([0.25, 0.75, 1.25, 2.5, 3.5, 5].map { e2m1.decode(e2m1.encode($0, saturate: true)) } == [0, 1, 1, 2, 4, 4])
    }

    @Test func nanInfinityAndSaturation() {
        // Saturating (ONNX's default): ±infinity and out-of-range values become ±greatest finite.
        for (_, format) in Self.formats {
            #expect(format.decode(format.encode(.infinity, saturate: true)) == format.greatestFiniteMagnitude)
            #expect(format.decode(format.encode(-1e9, saturate: true)) == -format.greatestFiniteMagnitude)
        }
        // Not saturating: ONNX's second table.
        #expect(MiniFloatFormat.e4m3fn.encode(.infinity, saturate: false) == 0x7F)
        #expect(MiniFloatFormat.e4m3fn.encode(-.infinity, saturate: false) == 0xFF)
        #expect(MiniFloatFormat.e4m3fnuz.encode(-.infinity, saturate: false) == 0x80)
        #expect(MiniFloatFormat.e5m2.encode(-.infinity, saturate: false) == 0xFC)
        #expect(MiniFloatFormat.e5m2fnuz.encode(.infinity, saturate: false) == 0x80)
        #expect(MiniFloatFormat.e2m1.encode(.infinity, saturate: false) == 0x07)
        // NaN keeps its sign where the format has signed NaNs.
        #expect(MiniFloatFormat.e4m3fn.encode(-.nan, saturate: true) == 0xFF)
        #expect(MiniFloatFormat.e5m2.encode(.nan, saturate: true) == 0x7E)
        #expect(MiniFloatFormat.e5m2fnuz.encode(-.nan, saturate: true) == 0x80)
        // Negative zero: kept, except in the fnuz formats, which have none.
        #expect(MiniFloatFormat.e4m3fn.encode(-0.0, saturate: true) == 0x80)
        #expect(MiniFloatFormat.e4m3fnuz.encode(-0.0, saturate: true) == 0)
        #expect(MiniFloatFormat.e5m2fnuz.encode(-1e-9, saturate: true) == 0)
    }

    /// Codes ml_dtypes 0.5 gives for `astype` (not saturating) of these float32 values.
    @Test func matchesMLDtypesWithoutSaturation() {
        let inputs: [Double] = [1e6, .infinity, -.infinity, .nan, -0.0, 464, 480, 448, 449, 57344, 61440, 61439, 1e-7, -1e-7, 240, 248, 247]
        let expected: [(MiniFloatFormat, [UInt8])] = [
            (.e4m3fn, [127, 127, 255, 127, 128, 126, 127, 126, 126, 127, 127, 127, 0, 128, 119, 120, 119]),
            (.e4m3fnuz, [128, 128, 128, 128, 0, 128, 128, 128, 128, 128, 128, 128, 0, 0, 127, 128, 127]),
            (.e5m2, [124, 124, 252, 126, 128, 95, 96, 95, 95, 123, 124, 123, 0, 128, 92, 92, 92]),
            (.e5m2fnuz, [128, 128, 128, 128, 0, 99, 100, 99, 99, 127, 128, 127, 0, 0, 96, 96, 96]),
        ]
        for (format, codes) in expected {
            #expect(inputs.map { format.encode(Double(Float($0)), saturate: false) } == codes, "\(format)")
        }
        // float4e2m1 and float6 have no NaN: ml_dtypes gives zero with the sign flipped.
        #expect(MiniFloatFormat.e2m1.encode(.nan, saturate: true) == 0x8)
        #expect(MiniFloatFormat.e2m3.encode(-.nan, saturate: true) == 0)
        #expect(MiniFloatFormat.e3m2.encode(.nan, saturate: true) == 0x20)
    }

    @Test func elementTypesConvertAndCompute() {
        #expect(Float8E4M3FN(castingFrom: 1e6).doubleValue == 448)
        #expect(Float8E4M3FN(1e6, saturate: false).doubleValue.isNaN)
        #expect(Float8E5M2(1e6, saturate: false).doubleValue == .infinity)
        #expect((Float8E4M3FN(castingFrom: 1.5) + Float8E4M3FN(castingFrom: 0.125)).doubleValue == 1.625)
        #expect(Float8E5M2.highest.doubleValue == .infinity && Float8E4M3FN.lowest.doubleValue == -448)
        #expect(Float8E4M3FNUZ.lowest.doubleValue == -240 && Float4E2M1.highest.doubleValue == 6)
        #expect(MemoryLayout<Float8E5M2FNUZ>.stride == 1 && MemoryLayout<Int4>.stride == 1)
    }

    @Test func float8e8m0RoundsAsAsked() {
        func code(_ value: Double, _ mode: Float8E8M0.RoundMode, saturate: Bool = true) -> UInt8 {
            Float8E8M0(value, saturate: saturate, roundMode: mode).bits
        }
        #expect(code(1, .up) == 127 && code(2, .down) == 128 && code(0.25, .nearest) == 125)
        #expect(code(1.1, .up) == 128 && code(1.1, .down) == 127 && code(1.1, .nearest) == 127)
        #expect(code(0.124, .up) == 124 && code(0.124, .down) == 123 && code(0.124, .nearest) == 124)
        #expect(code(1.5, .nearest) == 128)          // a tie goes up
        #expect(code(0, .up) == 0)
        #expect(code(.nan, .up) == 0xFF && code(.infinity, .up) == 0xFE && code(.infinity, .up, saturate: false) == 0xFF)
        #expect(code(0x1.8p127, .up) == 0xFE && code(0x1.8p127, .up, saturate: false) == 0xFF)
        #expect(Float8E8M0(bits: 127).doubleValue == 1 && Float8E8M0(bits: 0).doubleValue == 0x1p-127)
        #expect(Float8E8M0(bits: 0xFF).doubleValue.isNaN)
        #expect(Float8E8M0(castingFrom: 3).doubleValue == 4)   // Cast's defaults: saturate, round up
    }

    @Test func smallIntegersWrapAndTruncate() {
        #expect((-9...15).map { Int4(castingFrom: Double($0)).intValue } == [7] + Array(-8...7) + Array(-8...(-1)))
        #expect([-1, 16, 3.7, -3.7].map { UInt4(castingFrom: $0).intValue } == [15, 0, 3, 13])
        #expect([-3.7, 3.7, .nan, .infinity].map { Int4(castingFrom: $0).intValue } == [-3, 3, 0, 0])
        #expect((-3...3).map { Int2(castingFrom: Double($0)).intValue } == [1, -2, -1, 0, 1, -2, -1])
        #expect((-3...3).map { UInt2(castingFrom: Double($0)).intValue } == [1, 2, 3, 0, 1, 2, 3])
        #expect((Int4(castingFrom: 7) + Int4(castingFrom: 1)).intValue == -8)
        #expect(Int4.divide(Int4(castingFrom: 7), Int4(castingFrom: 0)).intValue == 0)
        #expect(Int4.divide(Int4(castingFrom: -7), Int4(castingFrom: 2)).intValue == -3)
        #expect(Int4.lowest.intValue == -8 && Int4.highest.intValue == 7 && UInt2.highest.intValue == 3 && Int2.lowest.intValue == -2)
        #expect(Int4(castingFrom: -1).bits == 0xFF)   // sign-extended in memory
    }

    @Test func dataTypesNameAndSizeThemselves() {
        for type in DataType.allCases {
            #expect(DataType(name: type.description) == type)
        }
        #expect(DataType.int4.rawValue == 22 && DataType.float4e2m1.rawValue == 23 && DataType.float6e3m2.rawValue == 28)
        #expect([DataType.int4, .uint4, .float4e2m1].allSatisfy { $0.bitsInFiles == 4 && $0.byteSize == 1 })
        #expect([DataType.int2, .uint2].allSatisfy { $0.bitsInFiles == 2 })
        #expect([DataType.float6e2m3, .float6e3m2].allSatisfy { $0.bitsInFiles == 6 })
        #expect(DataType.float8e8m0.bitsInFiles == 8 && DataType.float32.bitsInFiles == 32)
        #expect(Tensor(shape: [3], values: [Int4(castingFrom: -2), Int4(castingFrom: 0), Int4(castingFrom: 7)]).doubles() == [-2, 0, 7])
    }
}
