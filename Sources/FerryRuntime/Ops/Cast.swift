import FerryIR

/// Cast: converts every element to the type `to` names (numeric, bool and bfloat16 types).
struct Cast: Operator {
    static let opType = "Cast"
    let target: DataType

    init(_ node: NodeContext) throws {
        guard let code = try node.intIfPresent("to") else { throw node.invalid("to", "is required") }
        guard let type = DataType(rawValue: Int32(truncatingIfNeeded: code)) else {
            throw node.invalid("to", "names element type \(code), which Ferry does not support")
        }
        target = type
        node.ignore("saturate", "round_mode")
    }

    func run(_ inputs: [Tensor?], _ context: ExecutionContext) throws -> [Tensor] {
        [try Cast.convert(inputs.required(0), to: target)]
    }

    /// Converts `x` to `target` with ONNX Cast semantics.
    static func convert(_ x: Tensor, to target: DataType) throws -> Tensor {
        if x.dataType == target { return x }
        guard x.dataType != .string, target != .string else {
            throw KernelError("casts from or to string are not supported")
        }
        // Integer to integer keeps every bit of 64-bit values (no detour through Double).
        if x.dataType.isInteger && target.isInteger, let type = target.numericType as? any IntegerElement.Type {
            let wide: [Int64] = x.dataType == .uint64
                ? x.elements(as: UInt64.self).map { Int64(bitPattern: $0) }
                : x.integers().map { Int64($0) }
            func open<T: IntegerElement>(_: T.Type) -> Tensor {
                Tensor(shape: x.shape, values: wide.map { T(truncatingIfNeeded: $0) })
            }
            return open(type)
        }
        let values = x.doubles()
        switch target {
        case .bool: return Tensor(shape: x.shape, values: values.map { $0 != 0 })
        case .bfloat16: return Tensor(shape: x.shape, values: values.map { BFloat16(Float($0)) })
        case .float16 where x.dataType == .float32:
            return Tensor(shape: x.shape, values: x.elements(as: Float.self).map { Float16($0) })
        default:
            guard let type = target.numericType else { throw KernelError("cannot cast to \(target)") }
            func open<T: NumericElement>(_: T.Type) -> Tensor { Tensor(shape: x.shape, values: values.map { T(castingFrom: $0) }) }
            return open(type)
        }
    }
}
