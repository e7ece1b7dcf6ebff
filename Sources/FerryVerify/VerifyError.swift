import FerryIR

/// Why a verification could not be carried out, naming the model, input, output or token at fault.
/// (Drift over budget is not an error: it is a report that did not pass.)
public enum VerifyError: Error, Sendable, CustomStringConvertible {
    /// A model failed to prepare or to run; `model` is its label (the file path in the CLI).
    case model(String, message: String)
    case missingFeed(model: String, input: String)
    case inputType(model: String, input: String, expected: DataType, actual: DataType)
    case missingOutput(candidate: String, output: String, outputs: [String])
    case outputShape(output: String, source: [Int], candidate: [Int])
    case cannotCompare(output: String, reason: String)
    case unknownOutput(context: String, name: String, outputs: [String])
    case budget(token: String, reason: String)
    case config(file: String, key: String?, reason: String)
    case quantization(value: String, reason: String)
    case shapeMismatch(reference: [Int], candidate: [Int])
    case notNumeric(DataType)
    case noSamples
    /// Outputs handed to `Verifier.run(sourceOutputs:)` are not what the source computes on
    /// the same sample (checked on the per-layer samples, which run the source anyway).
    case storedOutputsDiffer(source: String, output: String)

    public var description: String {
        switch self {
        case .model(let model, let message): return "\(model): \(message)"
        case .missingFeed(let model, let input): return "\(model): input '\(input)' has no data in the samples"
        case .inputType(let model, let input, let expected, let actual):
            return "\(model): input '\(input)' takes \(expected) and has no DequantizeLinear to quantize \(actual) samples with"
        case .missingOutput(let candidate, let output, let outputs):
            return "\(candidate): has no output '\(output)' to compare (its outputs are \(outputs.map { "'\($0)'" }.joined(separator: ", ")))"
        case .outputShape(let output, let source, let candidate):
            return "output '\(output)' has shape \(Self.shape(source)) in the source and \(Self.shape(candidate)) in the candidate"
        case .cannotCompare(let output, let reason): return "output '\(output)': \(reason)"
        case .unknownOutput(let context, let name, let outputs):
            return "\(context): the source model has no output '\(name)' (its outputs are \(outputs.map { "'\($0)'" }.joined(separator: ", ")))"
        case .budget(let token, let reason): return "bad drift bound '\(token)': \(reason)"
        case .config(let file, let key, let reason): return "config \(file)\(key.map { ": '\($0)'" } ?? ""): \(reason)"
        case .quantization(let value, let reason): return "value '\(value)': \(reason)"
        case .shapeMismatch(let reference, let candidate):
            return "cannot compare a tensor of shape \(Self.shape(candidate)) with one of shape \(Self.shape(reference))"
        case .notNumeric(let type): return "\(type) tensors have no numeric drift"
        case .noSamples: return "no samples to verify with"
        case .storedOutputsDiffer(let source, let output):
            return "\(source): the stored outputs differ from a run of it on the same sample (output '\(output)')"
        }
    }

    static func shape(_ dims: [Int]) -> String { "[\(dims.map(String.init).joined(separator: ","))]" }
}
