import FerryIR

/// The element type codes of Core ML's weight blob storage (MILBlob `BlobDataType`).
public enum BlobDataType: UInt32, Sendable, CaseIterable {
    case float16 = 1
    case float32 = 2
    case uint8 = 3
    case int8 = 4
    case bfloat16 = 5
    case int16 = 6
    case uint16 = 7
    case int32 = 14
    case uint32 = 15

    /// The IR element type of this blob type.
    public var irType: DataType {
        switch self {
        case .float16: return .float16
        case .float32: return .float32
        case .uint8: return .uint8
        case .int8: return .int8
        case .bfloat16: return .bfloat16
        case .int16: return .int16
        case .uint16: return .uint16
        case .int32: return .int32
        case .uint32: return .uint32
        }
    }

    /// The blob type storing IR elements of `type`, or nil when blob files cannot hold them.
    public init?(_ type: DataType) {
        guard let match = BlobDataType.allCases.first(where: { $0.irType == type }) else { return nil }
        self = match
    }
}
