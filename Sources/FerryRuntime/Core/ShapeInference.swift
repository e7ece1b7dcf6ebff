import FerryIR

/// Infers the element type and shape of every value of a model's main graph.
///
/// The graph is run twice in the reference core on zero-filled inputs, with every symbolic or
/// unknown input dimension set to a different prime each time. A dimension equal in both runs is
/// fixed; one that follows an input symbol is that symbol; any other is unknown. Shapes that the
/// made-up data decided (Reshape to a shape read from an input, NonZero, …) are reported with
/// their rank only. Exact for static graphs, and it needs no per-op rules beyond the kernels.
public enum ShapeInference {
    /// The model with `graph.valueInfo` filled for every value whose type could be inferred and
    /// graph outputs given their inferred types where the file left them out (or left dims
    /// symbolic that inference finds fixed).
    public static func infer(_ model: Model) throws -> Model {
        let session = try InferenceSession(model: model)
        var symbols: [String] = []
        var anonymous = 0
        var inputDims: [[String?]] = []   // per input, per axis: symbol name or nil (fixed)
        for input in session.inputs {
            guard let type = input.type, let shape = type.shape else { return model }
            inputDims.append(shape.map { dim in
                switch dim {
                case .fixed: return nil
                case .symbol(let name):
                    if !symbols.contains(name) { symbols.append(name) }
                    return name
                case .unknown:
                    anonymous += 1
                    let name = "?\(anonymous)"
                    symbols.append(name)
                    return name
                }
            })
        }
        let primes = [7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71, 73, 79, 83, 89, 97]
        func assignment(_ run: Int) -> [String: Int] {
            var values: [String: Int] = [:]
            for (i, symbol) in symbols.enumerated() { values[symbol] = primes[(2 * i + run) % primes.count] + (2 * i + run) / primes.count * 100 }
            return values
        }
        let runs = [assignment(0), assignment(1)]
        let observations = runs.map { values -> [String: ExecutionPlan.Observation] in
            let feeds = zip(session.inputs, inputDims).map { input, dims -> Tensor in
                let shape = zip(input.type!.shape!, dims).map { dim, symbol in symbol.map { values[$0]! } ?? dim.value! }
                return Tensor(dataType: input.type!.dataType, shape: shape)
            }
            return session.plan.probe(feeds: feeds, context: ExecutionContext(threads: 1))
        }
        var result = model
        for (name, first) in observations[0] {
            guard let second = observations[1][name], first.dataType == second.dataType,
                  first.shape.count == second.shape.count else { continue }
            let dims: [Dim] = zip(first.shape, second.shape).map { a, b in
                if first.dataDependent || second.dataDependent { return .unknown }
                if a == b { return .fixed(a) }
                if let symbol = symbols.first(where: { runs[0][$0] == a && runs[1][$0] == b }) {
                    return symbol.hasPrefix("?") ? .unknown : .symbol(symbol)
                }
                return .unknown
            }
            let type = ValueType(dataType: first.dataType, shape: dims)
            if let index = result.graph.outputs.firstIndex(where: { $0.name == name }) {
                if let declared = result.graph.outputs[index].type, let declaredDims = declared.shape, declaredDims.count == dims.count {
                    // A dim the file left symbolic or unknown takes the size inference found
                    // (e.g. once --input-shape fixed the inputs); fixed dims stay as declared.
                    result.graph.outputs[index].type = ValueType(dataType: declared.dataType, shape: zip(declaredDims, dims).map { d, inferred in
                        if case .fixed = d { return d }
                        if case .fixed = inferred { return inferred }
                        return d
                    })
                } else {
                    result.graph.outputs[index].type = type
                }
            } else if !result.graph.inputs.contains(where: { $0.name == name }) {
                result.graph.valueInfo[name] = ValueInfo(name: name, type: type)
            }
        }
        return result
    }
}
