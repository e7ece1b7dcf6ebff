import FerryIR

/// Cast: converts every element to the type `to` names: every numeric type, bool, the float8,
/// float6 and float4 types (`saturate`) and float8e8m0 (`round_mode`).
struct Cast: Operator {
    static let opType = "Cast"
    let target: DataType
    let options: Options

    /// What Cast and CastLike do with values the target cannot hold.
    struct Options: Sendable {
        /// Out-of-range values to float8 saturate to the largest finite value (ONNX's default)
        /// rather than becoming infinity or NaN.
        var saturate = true
        /// How values round to float8e8m0.
        var roundMode = Float8E8M0.RoundMode.up

        init() {}

        init(_ node: NodeContext) throws {
            saturate = try node.int("saturate", default: 1) != 0
            let mode = try node.string("round_mode", default: "up")
            guard let parsed = Float8E8M0.RoundMode(rawValue: mode) else {
                throw node.invalid("round_mode", "is '\(mode)'; expected up, down or nearest")
            }
            roundMode = parsed
        }
    }

    init(_ node: NodeContext) throws {
        guard let code = try node.intIfPresent("to") else { throw node.invalid("to", "is required") }
        guard let type = DataType(rawValue: Int32(truncatingIfNeeded: code)) else {
            throw node.invalid("to", "names element type \(code), which Ferry does not support")
        }
        target = type
        options = try Options(node)
    }

    func run(_ inputs: [Tensor?], _ context: ExecutionContext) throws -> [Tensor] {
        [try Cast.convert(inputs.required(0), to: target, options)]
    }

    /// Converts `x` to `target` with ONNX Cast semantics.
    static func convert(_ x: Tensor, to target: DataType, _ options: Options = Options()) throws -> Tensor {
        if x.dataType == target { return x }
        guard x.dataType != .string, target != .string else {
            throw KernelError("casts from or to string are not supported")
        }
        // Integer to integer keeps every bit of 64-bit values (no detour through Double) and
        // wraps to the target's width.
        if x.dataType.isInteger || x.dataType.isSubByteInteger || x.dataType == .bool,
           target.isInteger || target.isSubByteInteger {
            let wide: [Int64] = x.dataType == .uint64
                ? x.elements(as: UInt64.self).map { Int64(bitPattern: $0) }
                : x.integers().map { Int64($0) }
            if let type = target.numericType as? any IntegerElement.Type {
                func open<T: IntegerElement>(_: T.Type) -> Tensor {
                    Tensor(shape: x.shape, values: wide.map { T(truncatingIfNeeded: $0) })
                }
                return open(type)
            }
            if let type = target.numericType as? any SubByteIntegerElement.Type {
                func open<T: SubByteIntegerElement>(_: T.Type) -> Tensor {
                    Tensor(shape: x.shape, values: wide.map { T(truncatingIfNeeded: $0) })
                }
                return open(type)
            }
        }
        let values = x.doubles()
        switch target {
        case .bool: return Tensor(shape: x.shape, values: values.map { $0 != 0 })
        case .bfloat16: return Tensor(shape: x.shape, values: values.map { BFloat16(Float($0)) })
        case .float16 where x.dataType == .float32:
            return Tensor(shape: x.shape, values: x.elements(as: Float.self).map { Float16($0) })
        case .float8e8m0:
            return Tensor(shape: x.shape, values: values.map { Float8E8M0($0, saturate: options.saturate, roundMode: options.roundMode) })
        default:
            if let type = target.numericType as? any MiniFloatElement.Type {
                func open<T: MiniFloatElement>(_: T.Type) -> Tensor {
                    Tensor(shape: x.shape, values: values.map { T($0, saturate: options.saturate) })
                }
                return open(type)
            }
            guard let type = target.numericType else { throw KernelError("cannot cast to \(target)") }
            func open<T: NumericElement>(_: T.Type) -> Tensor { Tensor(shape: x.shape, values: values.map { T(castingFrom: $0) }) }
            return open(type)
        }
    }
}
