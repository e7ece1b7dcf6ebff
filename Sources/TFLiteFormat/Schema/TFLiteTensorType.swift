import FerryIR

/// `tflite.TensorType`: the element type of a tensor, numbered as in schema.fbs.
public enum TFLiteTensorType: Int8, Sendable, CaseIterable, CustomStringConvertible {
    case float32 = 0
    case float16 = 1
    case int32 = 2
    case uint8 = 3
    case int64 = 4
    case string = 5
    case bool = 6
    case int16 = 7
    case complex64 = 8
    case int8 = 9
    case float64 = 10
    case complex128 = 11
    case uint64 = 12
    case resource = 13
    case variant = 14
    case uint32 = 15
    case uint16 = 16
    case int4 = 17
    case bfloat16 = 18

    /// The schema's name (FLOAT32, INT8, …).
    public var description: String {
        let names: [TFLiteTensorType: String] = [
            .float32: "FLOAT32", .float16: "FLOAT16", .int32: "INT32", .uint8: "UINT8", .int64: "INT64", .string: "STRING",
            .bool: "BOOL", .int16: "INT16", .complex64: "COMPLEX64", .int8: "INT8", .float64: "FLOAT64",
            .complex128: "COMPLEX128", .uint64: "UINT64", .resource: "RESOURCE", .variant: "VARIANT", .uint32: "UINT32",
            .uint16: "UINT16", .int4: "INT4", .bfloat16: "BFLOAT16",
        ]
        return names[self] ?? "TYPE_\(rawValue)"
    }

    /// The IR element type, when the IR has one.
    public var dataType: DataType? {
        switch self {
        case .float32: return .float32
        case .float16: return .float16
        case .int32: return .int32
        case .uint8: return .uint8
        case .int64: return .int64
        case .string: return .string
        case .bool: return .bool
        case .int16: return .int16
        case .int8: return .int8
        case .float64: return .float64
        case .uint64: return .uint64
        case .uint32: return .uint32
        case .uint16: return .uint16
        case .bfloat16: return .bfloat16
        case .complex64, .complex128, .resource, .variant, .int4: return nil
        }
    }

    public init?(_ dataType: DataType) {
        guard let match = TFLiteTensorType.allCases.first(where: { $0.dataType == dataType }) else { return nil }
        self = match
    }
}

/// `tflite.ActivationFunctionType`: an activation fused into the op that produces a tensor.
public enum TFLiteActivation: Int8, Sendable, CaseIterable {
    case none = 0
    case relu = 1
    case reluN1To1 = 2
    case relu6 = 3
    case tanh = 4
    case signBit = 5
}

/// `tflite.Padding`.
public enum TFLitePadding: Int8, Sendable, CaseIterable {
    case same = 0
    case valid = 1
}
