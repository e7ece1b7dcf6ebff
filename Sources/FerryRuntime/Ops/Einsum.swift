import FerryIR

/// Einsum: Einstein summation over any number of operands, with ellipsis, diagonals and
/// implicit outputs, by direct summation in float64 (exact order: letters sorted).
struct Einsum: Operator {
    static let opType = "Einsum"
    let equation: String

    init(_ node: NodeContext) throws {
        equation = try node.string("equation", default: "").replacingOccurrences(of: " ", with: "")
        guard !equation.isEmpty else { throw node.invalid("equation", "is required") }
    }

    func run(_ inputs: [Tensor?], _ context: ExecutionContext) throws -> [Tensor] {
        let operands = inputs.compactMap { $0 }
        let parts = equation.components(separatedBy: "->")
        var terms = parts[0].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        guard terms.count == operands.count else { throw KernelError("equation '\(equation)' has \(terms.count) operands, got \(operands.count)") }
        // Ellipsis: the broadcast dims, named by placeholder characters.
        let placeholders = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ".unicodeScalars.map(Character.init))
        var ellipsisRank = 0
        for (i, term) in terms.enumerated() where term.contains("...") {
            ellipsisRank = max(ellipsisRank, operands[i].rank - (term.count - 3))
        }
        var ellipsisShape = [Int](repeating: 1, count: ellipsisRank)
        for (i, term) in terms.enumerated() {
            guard term.contains("...") else {
                guard term.count == operands[i].rank else { throw KernelError("term '\(term)' does not match operand rank \(operands[i].rank)") }
                continue
            }
            let own = operands[i].rank - (term.count - 3)
            guard own >= 0, own <= ellipsisRank, term.components(separatedBy: "...").count == 2 else {
                throw KernelError("term '\(term)' does not fit operand rank \(operands[i].rank)")
            }
            let start = term.distance(from: term.startIndex, to: term.range(of: "...")!.lowerBound)
            for k in 0..<own {
                let size = operands[i].shape[start + k]
                let slot = ellipsisRank - own + k
                if size != 1 { ellipsisShape[slot] = size }
            }
            terms[i] = term.replacingOccurrences(of: "...", with: String(placeholders[(ellipsisRank - own)..<ellipsisRank]))
        }
        let ellipsisLetters = String(placeholders[0..<ellipsisRank])
        var output: String
        if parts.count > 1 {
            output = parts[1].replacingOccurrences(of: "...", with: ellipsisLetters)
        } else {
            var counts: [Character: Int] = [:]
            for term in terms { for ch in term { counts[ch, default: 0] += 1 } }
            output = ellipsisLetters + String(counts.filter { $0.value == 1 && $0.key.isLowercase }.map(\.key).sorted())
        }
        var sizes: [Character: Int] = [:]
        for (i, term) in terms.enumerated() {
            for (axis, ch) in term.enumerated() {
                let size = operands[i].shape[axis]
                if let known = sizes[ch], known != size, known != 1, size != 1 {
                    throw KernelError("letter '\(ch)' has sizes \(known) and \(size)")
                }
                sizes[ch] = max(sizes[ch] ?? 1, size)
            }
        }
        guard ellipsisRank <= placeholders.count else { throw KernelError("too many ellipsis dims") }
        let floats = try operands.map { try Cast.convert($0, to: .float64).elements(as: Double.self) }
        let letters = Array(Set(terms.joined() + output)).sorted()
        let outShape = output.map { sizes[$0] ?? 1 }
        var result = [Double](repeating: 0, count: outShape.reduce(1, *))
        let total = letters.map { sizes[$0] ?? 1 }.reduce(1, *)
        let letterIndex = Dictionary(uniqueKeysWithValues: letters.enumerated().map { ($1, $0) })
        let termAxes = terms.map { $0.map { letterIndex[$0]! } }
        let outAxes = output.map { letterIndex[$0]! }
        let operandStrides = operands.map { Tensor.strides(of: $0.shape) }
        let outStrides = Tensor.strides(of: outShape)
        var index = [Int](repeating: 0, count: letters.count)
        let dims = letters.map { sizes[$0] ?? 1 }
        for _ in 0..<total {
            var product = 1.0
            for (i, axes) in termAxes.enumerated() {
                var offset = 0
                for (axis, letter) in axes.enumerated() where operands[i].shape[axis] != 1 { offset += index[letter] * operandStrides[i][axis] }
                product *= floats[i][offset]
            }
            var o = 0
            for (axis, letter) in outAxes.enumerated() { o += index[letter] * outStrides[axis] }
            result[o] += product
            var k = letters.count - 1
            while k >= 0 {
                index[k] += 1
                if index[k] < dims[k] { break }
                index[k] = 0
                k -= 1
            }
        }
        return [try Cast.convert(Tensor(shape: outShape, values: result), to: operands[0].dataType)]
    }
}
