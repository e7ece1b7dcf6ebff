import CFerryKernels
import FerryIR
import Foundation

/// IntegerSoftmax (`ai.ferry`): TFLite's int16 SOFTMAX over the last axis (input zero point 0,
/// output 1/32768 with zero point 0): the input difference to the row's maximum rescaled so
/// that [−65535, 0] spans [−10, 0], exp and 1/(1+x) by TFLite's interpolated 513-entry
/// tables, then the product rescaled to Q0.15.
///
/// With `y_scale` given (int8 in and out): TFLite's int8 SOFTMAX, in float32 as it computes it:
/// a 256-entry table of expf(−x_scale·β·d) for the distance d to the row's maximum, the row's
/// sum in order, 1/(sum·y_scale), and each probability rounded half away from zero plus the
/// output zero point, clamped.
struct IntegerSoftmax: Operator {
    static let opType = "IntegerSoftmax"
    static let domain = "ai.ferry"

    /// The two kernels and what each precomputes.
    enum Form {
        /// Int16: the input rescale and TFLite's exp and 1/(1+x) tables.
        case int16(multiplier: Int32, shift: Int32, exp: [Int16], reciprocal: [Int16])
        /// Int8: expf(−x_scale·β·d) for d = 0…255, and the output's parameters.
        case int8(table: [Float], output: IntegerTensorParams)
    }

    let form: Form

    init(_ node: NodeContext) throws {
        let x = try IntegerTensorParams(node, "x")
        let beta = try node.float("beta", default: 1)
        if try node.floatIfPresent("y_scale") != nil {
            let scale = -x.scale * beta
            form = .int8(table: (0...255).map { Foundation.exp(scale * Float($0)) }, output: try IntegerTensorParams(node, "y"))
            return
        }
        guard x.zeroPoint == 0 else { throw node.invalid("x_zero_point", "int16 softmax needs zero point 0") }
        var m: Int32 = 0, s: Int32 = 0
        ferry_quantize_multiplier(Double(x.scale) * Double(beta) / (10.0 / 65535.0), &m, &s, 0)
        let range: Float = 65535
        var exp = [Int16](repeating: 0, count: 513), reciprocal = [Int16](repeating: 0, count: 513)
        ferry_int16_lut_populate(10 / range, 32767, 2 / range, 0, 0, &exp)
        ferry_int16_lut_populate(1 / range, -32768, 2 / range, 0, 1, &reciprocal)
        form = .int16(multiplier: m, shift: s, exp: exp, reciprocal: reciprocal)
    }

    func run(_ inputs: [Tensor?], _ context: ExecutionContext) throws -> [Tensor] {
        let x = try inputs.required(0)
        switch form {
        case .int8(let table, let output): return [try runInt8(x, table, output, context)]
        case .int16(let multiplier, let shift, let exp, let reciprocal):
            return [try runInt16(x, multiplier, shift, exp, reciprocal, context)]
        }
    }

    func runInt16(_ x: Tensor, _ multiplier: Int32, _ shift: Int32, _ expTable: [Int16], _ reciprocalTable: [Int16],
                  _ context: ExecutionContext) throws -> Tensor {
        guard x.dataType == .int16, x.rank >= 1, let depth = x.shape.last, depth > 0 else {
            throw KernelError("expects an int16 input with a last axis, got \(x.dataType)\(x.shape)")
        }
        let out = Tensor(dataType: .int16, shape: x.shape, zeroed: false)
        let xp = UnsafePointer(x.storage.bytes.assumingMemoryBound(to: Int16.self))
        let op = out.storage.bytes.assumingMemoryBound(to: Int16.self)
        let rows = x.count / depth
        expTable.withUnsafeBufferPointer { e in
            reciprocalTable.withUnsafeBufferPointer { r in
                context.parallelFor(rows) { range in
                    ferry_softmax_s16(xp + range.lowerBound * depth, op + range.lowerBound * depth, range.count, Int32(depth),
                                      multiplier, shift, e.baseAddress, r.baseAddress)
                }
            }
        }
        return out
    }

    func runInt8(_ x: Tensor, _ int8Table: [Float], _ y: IntegerTensorParams, _ context: ExecutionContext) throws -> Tensor {
        guard x.dataType == .int8, x.rank >= 1, let depth = x.shape.last, depth > 0 else {
            throw KernelError("expects an int8 input with a last axis, got \(x.dataType)\(x.shape)")
        }
        let out = Tensor(dataType: .int8, shape: x.shape, zeroed: false)
        let xp = UnsafePointer(x.storage.bytes.assumingMemoryBound(to: Int8.self))
        let op = out.storage.bytes.assumingMemoryBound(to: Int8.self)
        let zeroPoint = y.zeroPoint, outputScale = y.scale
        int8Table.withUnsafeBufferPointer { table in
            context.parallelFor(x.count / depth) { rows in
                for row in rows {
                    let input = xp + row * depth, output = op + row * depth
                    var maximum = Int32(Int8.min)
                    for j in 0..<depth { maximum = max(maximum, Int32(input[j])) }
                    var sum: Float = 0
                    for j in 0..<depth { sum += table[Int(maximum - Int32(input[j]))] }
                    let inverse: Float = 1 / (sum * outputScale)
                    for j in 0..<depth {
                        let probability = table[Int(maximum - Int32(input[j]))] * inverse
                        let rounded = Int32(probability.rounded(.toNearestOrAwayFromZero)) + zeroPoint
                        output[j] = Int8(max(-128, min(127, rounded)))
                    }
                }
            }
        }
        return out
    }
}
