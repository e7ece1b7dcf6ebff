/// Why a `.param`/`.bin` pair could not be read; each case names the file and line or layer.
public enum NCNNImportError: Error, Sendable, CustomStringConvertible, Equatable {
    case malformedParam(file: String, line: Int, String)
    case countMismatch(file: String, what: String, declared: Int, found: Int)
    case unknownLayer(file: String, layer: String, type: String)
    case unsupportedLayer(file: String, layer: String, type: String, reason: String)
    case undefinedBlob(file: String, layer: String, blob: String)
    case truncatedWeights(file: String, layer: String, needed: Int, available: Int)
    case unsupportedWeightTag(file: String, layer: String, tag: UInt32)
    case trailingWeights(file: String, bytes: Int)

    public var description: String {
        switch self {
        case .malformedParam(let file, let line, let message):
            return "\(file):\(line): \(message)"
        case .countMismatch(let file, let what, let declared, let found):
            return "\(file): the header declares \(declared) \(what)s but the file has \(found)"
        case .unknownLayer(let file, let layer, let type):
            return "\(file): layer '\(layer)' has type '\(type)', which Ferry's NCNN reader does not know"
        case .unsupportedLayer(let file, let layer, let type, let reason):
            return "\(file): layer '\(layer)' (\(type)): \(reason)"
        case .undefinedBlob(let file, let layer, let blob):
            return "\(file): layer '\(layer)' reads blob '\(blob)', which no earlier layer writes"
        case .truncatedWeights(let file, let layer, let needed, let available):
            return "\(file): truncated: layer '\(layer)' needs weights up to byte \(needed) but the file has \(available) bytes"
        case .unsupportedWeightTag(let file, let layer, let tag):
            return "\(file): layer '\(layer)' has weight storage tag 0x\(String(tag, radix: 16)), which Ferry does not read (float32, float16 and int8 are read)"
        case .trailingWeights(let file, let bytes):
            return "\(file): \(bytes) bytes follow the last layer's weights; the .bin does not match the .param"
        }
    }
}
