/// Why a model cannot be written at the requested opset; every case names the node (or the
/// flag) at fault and, where one exists, the opset that would express it.
public enum OpsetError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The requested opset is outside what Ferry converts to.
    case unsupportedOpset(requested: Int, range: ClosedRange<Int>)
    /// The op does not exist at the requested opset (or was removed before it).
    case opUnavailable(node: String, opType: String, target: Int, needs: String)
    /// An attribute, input or element type the op's version at the requested opset lacks.
    case notExpressible(node: String, what: String, target: Int, needs: String)
    /// An input that has to become an attribute is computed at run time, not a constant.
    case notConstant(node: String, input: String, target: Int)

    public var description: String {
        switch self {
        case .unsupportedOpset(let requested, let range):
            return "--onnx-opset \(requested): Ferry writes ai.onnx opsets \(range.lowerBound) to \(range.upperBound)"
        case .opUnavailable(let node, _, let target, let needs):
            return "node \(node) cannot be written at opset \(target): \(needs)"
        case .notExpressible(let node, let what, let target, let needs):
            return "node \(node) cannot be written at opset \(target): \(what) \(needs)"
        case .notConstant(let node, let input, let target):
            return "node \(node) cannot be written at opset \(target): input '\(input)' becomes an attribute there, but it is computed at run time, not a constant"
        }
    }
}
