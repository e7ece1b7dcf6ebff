/// Why a pass could not rewrite a model; cases name the pass, node or value concerned.
public enum PassError: Error, CustomStringConvertible, Equatable {
    case failed(pass: String, reason: String)
    case unknownInput(name: String, known: [String])
    case badShape(input: String, reason: String)
    case unknownLayer(name: String)
    case invalidOption(String)
    case nonFiniteWeight(name: String)

    public var description: String {
        switch self {
        case .failed(let pass, let reason): return "pass \(pass) failed: \(reason)"
        case .unknownInput(let name, let known):
            return "the model has no input named '\(name)' (inputs: \(known.joined(separator: ", ")))"
        case .badShape(let input, let reason): return "input '\(input)': \(reason)"
        case .unknownLayer(let name): return "the model has no node or weight named '\(name)'"
        case .invalidOption(let reason): return reason
        case .nonFiniteWeight(let name):
            return "weight '\(name)' holds NaN or infinite values, which no integer format can represent; fix the model, or keep the layers that read it in float (--keep-float)"
        }
    }
}
