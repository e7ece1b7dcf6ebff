import FerryIR

/// A MIL element type, with the codes of MIL.proto's `DataType`.
public enum MILDataType: Int32, Sendable, CaseIterable, CustomStringConvertible {
    case bool = 1
    case string = 2
    case float16 = 10
    case float32 = 11
    case float64 = 12
    case int8 = 21
    case int16 = 22
    case int32 = 23
    case int64 = 24
    case uint8 = 31
    case uint16 = 32
    case uint32 = 33

    /// The name MIL's `cast` op and coremltools' text form use ("fp16", "int32", …).
    public var description: String {
        switch self {
        case .bool: return "bool"
        case .string: return "string"
        case .float16: return "fp16"
        case .float32: return "fp32"
        case .float64: return "fp64"
        case .int8: return "int8"
        case .int16: return "int16"
        case .int32: return "int32"
        case .int64: return "int64"
        case .uint8: return "uint8"
        case .uint16: return "uint16"
        case .uint32: return "uint32"
        }
    }

    /// The IR element type holding this MIL type's values.
    public var irType: DataType {
        switch self {
        case .bool: return .bool
        case .string: return .string
        case .float16: return .float16
        case .float32: return .float32
        case .float64: return .float64
        case .int8: return .int8
        case .int16: return .int16
        case .int32: return .int32
        case .int64: return .int64
        case .uint8: return .uint8
        case .uint16: return .uint16
        case .uint32: return .uint32
        }
    }

    /// The MIL type of an IR element type, or nil when MIL has none.
    public init?(_ type: DataType) {
        guard let match = MILDataType.allCases.first(where: { $0.irType == type }) else { return nil }
        self = match
    }
}
