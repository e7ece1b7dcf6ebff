/// A node attribute value, typed as in ONNX's `AttributeProto`.
public enum Attribute: Sendable {
    case float(Float)
    case int(Int)
    case string(String)
    case tensor(Tensor)
    case graph(Graph)
    case floats([Float])
    case ints([Int])
    case strings([String])
    case tensors([Tensor])
    case graphs([Graph])

    /// The ONNX name of this attribute's type, for error messages.
    public var typeName: String {
        switch self {
        case .float: return "float"
        case .int: return "int"
        case .string: return "string"
        case .tensor: return "tensor"
        case .graph: return "graph"
        case .floats: return "floats"
        case .ints: return "ints"
        case .strings: return "strings"
        case .tensors: return "tensors"
        case .graphs: return "graphs"
        }
    }
}
