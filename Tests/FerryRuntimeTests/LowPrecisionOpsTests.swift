import FerryIR
import FerryRuntime
import Testing

/// Cast, QuantizeLinear and DequantizeLinear on the float8/float4/int4/int2 types, for what the
/// ONNX node cases leave out: saturate=0 in QuantizeLinear, blocked int4 with zero points,
/// output_dtype, precision, and the errors for mismatched types.
@Suite struct LowPrecisionOpsTests {
    func run(_ op: String, _ inputs: [Tensor], attributes: [String: Attribute] = [:], opset: Int = 25) throws -> Tensor {
        let names = inputs.indices.map { "in\($0)" }
        let graph = Graph(nodes: [Node(name: "op", opType: op, inputs: names, outputs: ["y"], attributes: attributes)],
                          inputs: names.map { ValueInfo(name: $0, type: nil) }, outputs: [ValueInfo(name: "y", type: nil)])
        let session = try InferenceSession(model: Model(graph: graph, opsets: ["": opset]))
        return try session.run(Dictionary(uniqueKeysWithValues: zip(names, inputs)))[0]
    }

    @Test func quantizingToFloat8WithoutSaturationOverflows() throws {
        let x = Tensor(shape: [4], values: [Float](arrayLiteral: 1, 70000, -70000, 3))
        let scale = Tensor(scalar: Float(1))
        let saturated = try run("QuantizeLinear", [x, scale], attributes: ["output_dtype": .int(Int(DataType.float8e5m2.rawValue))])
        #expect(saturated.dataType == .float8e5m2 && saturated.doubles() == [1, 57344, -57344, 3])
        let overflowing = try run("QuantizeLinear", [x, scale, Tensor(shape: [], values: [Float8E5M2(castingFrom: 0)])],
                                  attributes: ["saturate": .int(0)])
        #expect(overflowing.doubles() == [1, .infinity, -.infinity, 3])
    }

    @Test func blockedInt4WithZeroPointsRoundTrips() throws {
        // Two rows, blocks of 2 along axis 1 with a remainder block of 1.
        let x = Tensor(shape: [2, 5], values: [Float](arrayLiteral: 0, 1, 2, 3, 40, -1, -2, -3, -4, 0.5))
        let scale = Tensor(shape: [2, 3], values: [Float](arrayLiteral: 0.5, 1, 2, 1, 0.25, 4))
        let zero = Tensor(shape: [2, 3], values: [1, 0, -1, 0, 2, 0].map { Int4(castingFrom: $0) })
        let q = try run("QuantizeLinear", [x, scale, zero], attributes: ["axis": .int(1), "block_size": .int(2)])
        // 0/0.5+1, 1/0.5+1, 2/1, 3/1, 40/2−1 → 19 clamps to 7; −1, −2, −3/0.25+2 → −10 clamps to −8, −16+2, 0.5/4 → 0
        #expect(q.dataType == .int4 && q.integers() == [1, 3, 2, 3, 7, -1, -2, -8, -8, 0])
        let back = try run("DequantizeLinear", [q, scale, zero], attributes: ["axis": .int(1), "block_size": .int(2)])
        #expect(back.elements(as: Float.self) == [0, 1, 2, 3, 16, -1, -2, -2.5, -2.5, 0])
    }

    @Test func dequantizesIntoTheOutputTypeAsked() throws {
        let x = Tensor(shape: [3], values: [UInt2(castingFrom: 0), UInt2(castingFrom: 3), UInt2(castingFrom: 1)])
        let y = try run("DequantizeLinear", [x, Tensor(scalar: Float(0.5)), Tensor(shape: [], values: [UInt2(castingFrom: 1)])],
                        attributes: ["output_dtype": .int(Int(DataType.float16.rawValue))])
        #expect(y.dataType == .float16 && y.doubles() == [-0.5, 1, 0])
    }

    @Test func precisionDecidesWhereTheQuotientRounds() throws {
        let zero = Tensor(scalar: UInt16(0))
        // Ties round half to even: 1025/2 = 512.5 → 512, 1027/2 = 513.5 → 514.
        #expect(try run("QuantizeLinear", [Tensor(shape: [2], values: [Float](arrayLiteral: 1025, 1027)), Tensor(scalar: Float(2)), zero]).integers() == [512, 514])
        // 1/0.0003 is 3333.33 in float32. With precision float16 the scale becomes 0.00029993,
        // the quotient 3334.1, which float16 (a step of 2 there) holds as 3334.
        let one = Tensor(shape: [1], values: [Float(1)]), scale = Tensor(scalar: Float(0.0003))
        #expect(try run("QuantizeLinear", [one, scale, zero]).integers() == [3333])
        #expect(try run("QuantizeLinear", [one, scale, zero], attributes: ["precision": .int(Int(DataType.float16.rawValue))]).integers() == [3334])
    }

    @Test func castSaturatesUnlessToldNotTo() throws {
        let x = Tensor(shape: [3], values: [Float](arrayLiteral: 500, -.infinity, .nan))
        let to = Attribute.int(Int(DataType.float8e4m3fn.rawValue))
        #expect(try run("Cast", [x], attributes: ["to": to]).doubles().prefix(2) == [448, -448])
        let raw = try run("Cast", [x], attributes: ["to": to, "saturate": .int(0)])
        #expect(raw.elements(as: Float8E4M3FN.self).map(\.bits) == [0x7F, 0xFF, 0x7F])
        let e8m0 = try run("Cast", [Tensor(shape: [2], values: [Float](arrayLiteral: 1.1, 3))],
                           attributes: ["to": .int(Int(DataType.float8e8m0.rawValue)), "round_mode": .string("down")])
        #expect(e8m0.doubles() == [1, 2])
        #expect(throws: (any Error).self) {
            try run("Cast", [x], attributes: ["to": to, "round_mode": .string("sideways")])
        }
    }

    @Test func castBetweenIntegersWraps() throws {
        let x = Tensor(shape: [4], values: [Int64](arrayLiteral: -9, 16, 7, Int64.min))
        #expect(try run("Cast", [x], attributes: ["to": .int(Int(DataType.int4.rawValue))]).integers() == [7, 0, 7, 0])
        let small = Tensor(shape: [2], values: [Int4(castingFrom: -8), Int4(castingFrom: 7)])
        #expect(try run("Cast", [small], attributes: ["to": .int(Int(DataType.uint8.rawValue))]).integers() == [248, 7])
    }

    @Test func refusesMismatchedTypes() throws {
        let x = Tensor(shape: [1], values: [Float(1)]), scale = Tensor(scalar: Float(1))
        #expect(throws: (any Error).self) {
            try run("QuantizeLinear", [x, scale, Tensor(scalar: Int8(0))], attributes: ["output_dtype": .int(Int(DataType.int4.rawValue))])
        }
        #expect(throws: (any Error).self) {
            try run("DequantizeLinear", [Tensor(shape: [1], values: [Int4(castingFrom: 1)]), scale, Tensor(scalar: Int8(0))])
        }
        #expect(throws: (any Error).self) {
            try run("QuantizeLinear", [x, scale], attributes: ["output_dtype": .int(Int(DataType.float32.rawValue))])
        }
    }
}
