import FerryIR

/// Fixes dynamic input dimensions to given sizes (`--input-shape NAME=1,3,224,224`), so that
/// later passes and writers see static shapes. A size that contradicts a fixed dimension is an
/// error naming the input.
public struct FixInputShapes: GraphPass {
    public let name = "fix-input-shapes"
    /// Exact: only the declared shapes change (inputs of other shapes are refused).
    public func preservesValues(from before: Model, to after: Model) -> Bool { true }
    public var shapes: [String: [Int]]

    public init(_ shapes: [String: [Int]]) { self.shapes = shapes }

    /// Parses `NAME=D0,D1,…` (or `D0,D1,…` for single-input models, `NAME=D0xD1` also accepted).
    public static func parse(_ specs: [String], inputs: [ValueInfo]) throws -> [String: [Int]] {
        var result: [String: [Int]] = [:]
        for spec in specs {
            var name: String
            var dims: Substring
            if let eq = spec.lastIndex(of: "=") {
                name = String(spec[..<eq])
                dims = spec[spec.index(after: eq)...]
            } else {
                guard inputs.count == 1 else {
                    throw PassError.invalidOption("--input-shape '\(spec)' must name the input (NAME=D0,D1,…): the model has \(inputs.count) inputs")
                }
                name = inputs[0].name
                dims = Substring(spec)
            }
            let parts = dims.split(whereSeparator: { $0 == "," || $0 == "x" })
            let sizes = parts.compactMap { Int($0) }
            guard !parts.isEmpty, sizes.count == parts.count, sizes.allSatisfy({ $0 >= 0 }) else {
                throw PassError.invalidOption("--input-shape '\(spec)': sizes must be non-negative integers separated by commas")
            }
            if name.isEmpty { name = inputs.first?.name ?? "" }
            result[name] = sizes
        }
        return result
    }

    public func apply(to model: Model) throws -> Model {
        var result = model
        let known = model.graph.runtimeInputs.map(\.name)
        for name in shapes.keys.sorted() where !known.contains(name) {
            throw PassError.unknownInput(name: name, known: known)
        }
        // Symbols bound through one input hold for every other input that uses them.
        var symbols: [String: Int] = [:]
        for (index, input) in result.graph.inputs.enumerated() {
            guard let sizes = shapes[input.name] else { continue }
            guard let type = input.type else {
                throw PassError.badShape(input: input.name, reason: "has no type in the model")
            }
            if let dims = type.shape {
                guard dims.count == sizes.count else {
                    throw PassError.badShape(input: input.name, reason: "has rank \(dims.count), the shape given has \(sizes.count) dims")
                }
                for (axis, (dim, size)) in zip(dims, sizes).enumerated() {
                    switch dim {
                    case .fixed(let fixed) where fixed != size:
                        throw PassError.badShape(input: input.name, reason: "dim \(axis) is fixed to \(fixed), not \(size)")
                    case .symbol(let symbol):
                        if let bound = symbols[symbol], bound != size {
                            throw PassError.badShape(input: input.name, reason: "dim \(axis) is '\(symbol)', already set to \(bound)")
                        }
                        symbols[symbol] = size
                    default: break
                    }
                }
            }
            result.graph.inputs[index].type = ValueType(dataType: type.dataType, dims: sizes)
        }
        func resolve(_ info: ValueInfo) -> ValueInfo {
            guard let type = info.type, let dims = type.shape else { return info }
            var resolved = info
            resolved.type = ValueType(dataType: type.dataType, shape: dims.map { dim in
                if case .symbol(let symbol) = dim, let size = symbols[symbol] { return .fixed(size) }
                return dim
            })
            return resolved
        }
        result.graph.inputs = result.graph.inputs.map(resolve)
        result.graph.outputs = result.graph.outputs.map(resolve)
        // Inferred types of intermediates may name the old symbols: drop them, shape inference redoes them.
        result.graph.valueInfo = [:]
        return result
    }
}
