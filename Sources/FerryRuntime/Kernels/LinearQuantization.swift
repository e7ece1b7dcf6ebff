import FerryIR

/// What QuantizeLinear and DequantizeLinear share beyond the scale and zero-point layout
/// (QuantizationParameters): the quantized element types and the division's precision.
enum LinearQuantization {
    /// The element types QuantizeLinear produces and DequantizeLinear reads (besides int32).
    static let quantizedTypes: Set<DataType> = [
        .uint8, .int8, .uint16, .int16, .uint4, .int4, .uint2, .int2,
        .float8e4m3fn, .float8e4m3fnuz, .float8e5m2, .float8e5m2fnuz, .float4e2m1, .float6e2m3, .float6e3m2,
    ]

    /// An attribute naming an element type (`output_dtype`, `precision`); nil when absent or 0.
    static func dataType(_ node: NodeContext, _ name: String, allowed: Set<DataType>) throws -> DataType? {
        let code = try node.int(name, default: 0)
        guard code != 0 else { return nil }
        guard let type = DataType(rawValue: Int32(truncatingIfNeeded: code)), allowed.contains(type) else {
            throw node.invalid(name, "is element type \(code), which Ferry's \(node.node.opType) does not accept here")
        }
        return type
    }

    /// The type numpy computes x / scale in, which ONNX's reference follows: the common type
    /// when both are the same float type, float64 when an int32 is involved, float32 otherwise.
    static func divisionType(_ x: DataType, _ scale: DataType) -> DataType {
        if x == scale && x != .int32 { return x }
        return x == .int32 || scale == .int32 ? .float64 : .float32
    }

    /// Rounds a Double quotient to `type`. Dividing in Double and rounding once gives the
    /// correctly rounded quotient of `type`'s values for float16, bfloat16 and float32.
    static func rounding(to type: DataType) throws -> (Double) -> Double {
        guard let element = type.floatingPointElement else { throw KernelError("cannot divide in \(type)") }
        func open<T: NumericElement>(_: T.Type) -> (Double) -> Double { { T(castingFrom: $0).doubleValue } }
        return open(element)
    }
}

private extension DataType {
    var floatingPointElement: (any NumericElement.Type)? {
        switch self {
        case .float32, .float64, .float16, .bfloat16: return numericType
        default: return nil
        }
    }
}
