import FerryIR

/// Why `--data` or `--calibration` samples could not be loaded, naming the file and input.
public enum SampleSetError: Error, Sendable, CustomStringConvertible {
    case noData
    case modelHasNoInputs
    case missingFile(String)
    case unreadable(file: String, reason: String)
    case unsupportedFile(String)
    case emptyFolder(String)
    case empty(specs: [String])
    case unknownInput(spec: String, name: String, inputs: [String])
    case duplicateInput(spec: String, name: String)
    case missingInput(file: String, input: String)
    case missingArray(file: String, input: String, available: [String])
    case npyNeedsOneInput(file: String, inputs: [String])
    case wrongDType(file: String, input: String, expected: DataType, actual: DataType)
    case wrongShape(file: String, input: String, expected: String, actual: [Int])
    case countMismatch(file: String, counts: [(String, Int)])

    public var description: String {
        switch self {
        case .noData: return "no sample data given"
        case .modelHasNoInputs: return "the model has no inputs to feed samples to"
        case .missingFile(let path): return "data file \(path) does not exist"
        case .unreadable(let file, let reason): return "\(file): cannot read: \(reason)"
        case .unsupportedFile(let path): return "data file \(path): expected a .npy, a .npz or a folder of them"
        case .emptyFolder(let path): return "data folder \(path) holds no .npy or .npz files"
        case .empty(let specs): return "\(specs.joined(separator: " ")): no samples (every array has 0 rows)"
        case .unknownInput(let spec, let name, let inputs):
            return "data '\(spec)': the model has no input '\(name)'; its inputs are \(inputs.map { "'\($0)'" }.joined(separator: ", "))"
        case .duplicateInput(let spec, let name): return "data '\(spec)': input '\(name)' is given twice"
        case .missingInput(let file, let input): return "\(file): no data for input '\(input)'"
        case .missingArray(let file, let input, let available):
            return "\(file): no array for input '\(input)' (it has \(available.isEmpty ? "no arrays" : available.map { "'\($0)'" }.joined(separator: ", ")))"
        case .npyNeedsOneInput(let file, let inputs):
            return "\(file): a .npy holds one array but the model has \(inputs.count) inputs (\(inputs.joined(separator: ", "))); give NAME=FILE for each or one .npz"
        case .wrongDType(let file, let input, let expected, let actual):
            return "\(file): input '\(input)' should be \(expected), got \(actual)"
        case .wrongShape(let file, let input, let expected, let actual):
            return "\(file): input '\(input)' should have shape \(expected) (or a stack of them on a new first axis), got [\(actual.map(String.init).joined(separator: ","))]"
        case .countMismatch(let file, let counts):
            return "\(file): inputs have different sample counts (\(counts.map { "'\($0.0)': \($0.1)" }.joined(separator: ", ")))"
        }
    }
}
