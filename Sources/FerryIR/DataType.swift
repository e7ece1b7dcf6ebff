/// Element types of tensors, numbered as ONNX's `TensorProto.DataType`.
public enum DataType: Int32, Sendable, CaseIterable, CustomStringConvertible {
    case float32 = 1
    case uint8 = 2
    case int8 = 3
    case uint16 = 4
    case int16 = 5
    case int32 = 6
    case int64 = 7
    case string = 8
    case bool = 9
    case float16 = 10
    case float64 = 11
    case uint32 = 12
    case uint64 = 13
    case bfloat16 = 16

    /// Bytes per element; strings are stored as Swift values and report 0.
    public var byteSize: Int {
        switch self {
        case .bool, .int8, .uint8: return 1
        case .float16, .bfloat16, .int16, .uint16: return 2
        case .float32, .int32, .uint32: return 4
        case .float64, .int64, .uint64: return 8
        case .string: return 0
        }
    }

    /// Bits per element in ONNX files; sub-byte types are packed there and take one byte in memory.
    public var bitsInFiles: Int { byteSize * 8 }

    /// Whether this is a signed integer type narrower than a byte (held sign-extended in memory).
    public var isSignedSubByteInteger: Bool { false }

    public var isFloatingPoint: Bool {
        switch self {
        case .float16, .bfloat16, .float32, .float64: return true
        default: return false
        }
    }

    public var isInteger: Bool {
        switch self {
        case .int8, .uint8, .int16, .uint16, .int32, .uint32, .int64, .uint64: return true
        default: return false
        }
    }

    /// The lower-case name ONNX uses in its documentation (`float`, `int64`, …).
    public var description: String {
        switch self {
        case .float32: return "float32"
        case .uint8: return "uint8"
        case .int8: return "int8"
        case .uint16: return "uint16"
        case .int16: return "int16"
        case .int32: return "int32"
        case .int64: return "int64"
        case .string: return "string"
        case .bool: return "bool"
        case .float16: return "float16"
        case .float64: return "float64"
        case .uint32: return "uint32"
        case .uint64: return "uint64"
        case .bfloat16: return "bfloat16"
        }
    }

    /// Parses the names `description` prints and the numpy spellings (`float`, `double`, `half`).
    public init?(name: String) {
        switch name.lowercased() {
        case "float", "float32": self = .float32
        case "double", "float64": self = .float64
        case "half", "float16": self = .float16
        default:
            guard let match = DataType.allCases.first(where: { $0.description == name.lowercased() }) else {
                return nil
            }
            self = match
        }
    }
}
