import Foundation
import FerryIR

/// IntegerLookupTable (`ai.ferry`): int8 LOGISTIC and TANH as TFLite computes them: a 256-entry
/// table made at preparation in float32 (`LUTPopulateInt8`): each input dequantized
/// (`x_scale · (q − x_zero_point)`), transformed (1/(1+expf(−x)) or tanhf), multiplied by
/// 1/`y_scale`, rounded half away from zero, offset by the output zero point and clamped.
/// Computed in the same float32 steps, the table is LiteRT's, entry for entry.
struct IntegerLookupTable: Operator {
    static let opType = "IntegerLookupTable"
    static let domain = "ai.ferry"
    let table: [Int8]

    init(_ node: NodeContext) throws {
        let x = try IntegerTensorParams(node, "x")
        let y = try IntegerTensorParams(node, "y")
        let function = try node.string("function", default: "")
        let transform: (Float) -> Float
        switch function {
        case "sigmoid": transform = { 1 / (1 + Foundation.exp(-$0)) }
        case "tanh": transform = { Foundation.tanh($0) }
        default: throw node.invalid("function", "expected sigmoid or tanh, got '\(function)'")
        }
        table = IntegerLookupTable.table(x: x, y: y, transform)
    }

    static func table(x: IntegerTensorParams, y: IntegerTensorParams, _ transform: (Float) -> Float) -> [Int8] {
        let inverseScale: Float = 1 / y.scale
        return (-128...127).map { q -> Int8 in
            let dequantized = x.scale * Float(Int32(q) - x.zeroPoint)
            let transformed = transform(dequantized)
            guard transformed.isFinite else { return -128 }
            let rescaled = (transformed * inverseScale).rounded(.toNearestOrAwayFromZero)
            let quantized = rescaled + Float(y.zeroPoint)
            guard quantized.isFinite else { return quantized > 0 ? 127 : -128 }
            return Int8(max(-128, min(127, Int64(quantized))))
        }
    }

    func run(_ inputs: [Tensor?], _ context: ExecutionContext) throws -> [Tensor] {
        [try lookUpInt8(table, try inputs.required(0))]
    }
}
