import Foundation

extension NCNNParamFile {
    /// Parses a `.param` text, checking the magic, the counts and every `k=v` token.
    public static func parse(_ text: String, file: String = "model.param") throws -> NCNNParamFile {
        var lines = text.split(whereSeparator: { $0 == "\n" || $0 == "\r" }).map(String.init)
            .filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
        guard !lines.isEmpty, let magic = Int(lines.removeFirst().trimmingCharacters(in: .whitespaces)), magic == Self.magic else {
            throw NCNNImportError.malformedParam(file: file, line: 1, "the file does not start with NCNN's magic \(Self.magic)")
        }
        guard !lines.isEmpty else { throw NCNNImportError.malformedParam(file: file, line: 2, "the layer and blob counts are missing") }
        let counts = lines.removeFirst().split(separator: " ").compactMap { Int($0) }
        guard counts.count == 2, counts[0] > 0, counts[1] > 0 else {
            throw NCNNImportError.malformedParam(file: file, line: 2, "expected '<layer count> <blob count>'")
        }
        guard lines.count == counts[0] else {
            throw NCNNImportError.countMismatch(file: file, what: "layer", declared: counts[0], found: lines.count)
        }
        var layers: [NCNNLayer] = []
        for (offset, line) in lines.enumerated() {
            layers.append(try parseLayer(line, file: file, line: offset + 3))
        }
        let result = NCNNParamFile(layers: layers)
        guard result.blobNames.count == counts[1] else {
            throw NCNNImportError.countMismatch(file: file, what: "blob", declared: counts[1], found: result.blobNames.count)
        }
        return result
    }

    private static func parseLayer(_ line: String, file: String, line number: Int) throws -> NCNNLayer {
        let tokens = line.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        func fail(_ message: String) -> NCNNImportError { .malformedParam(file: file, line: number, message) }
        guard tokens.count >= 4, let bottoms = Int(tokens[2]), let tops = Int(tokens[3]), bottoms >= 0, tops >= 0 else {
            throw fail("expected '<type> <name> <inputs> <outputs> …'")
        }
        guard tokens.count >= 4 + bottoms + tops else {
            throw fail("layer '\(tokens[1])' declares \(bottoms) inputs and \(tops) outputs but lists \(tokens.count - 4) names")
        }
        var layer = NCNNLayer(type: tokens[0], name: tokens[1], inputs: Array(tokens[4..<(4 + bottoms)]),
                              outputs: Array(tokens[(4 + bottoms)..<(4 + bottoms + tops)]))
        for token in tokens[(4 + bottoms + tops)...] {
            guard let eq = token.firstIndex(of: "="), let rawID = Int(token[..<eq]) else { throw fail("bad parameter '\(token)' in layer '\(layer.name)'") }
            let valueText = token[token.index(after: eq)...]
            let isArray = rawID <= -23300
            let id = isArray ? -rawID - 23300 : rawID
            guard id >= 0 && id < maxParamID else { throw fail("parameter id \(rawID) in layer '\(layer.name)' is outside 0…\(maxParamID - 1)") }
            if isArray {
                let parts = valueText.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
                guard let count = Int(parts[0]), count == parts.count - 1 else { throw fail("array parameter '\(token)' in layer '\(layer.name)' has a wrong length") }
                let elements = Array(parts.dropFirst())
                if elements.contains(where: isFloatText) {
                    let floats = elements.compactMap { Float($0) }
                    guard floats.count == count else { throw fail("bad float in '\(token)'") }
                    layer.params[id] = .floats(floats)
                } else {
                    let ints = elements.compactMap { Int($0) }
                    guard ints.count == count else { throw fail("bad integer in '\(token)'") }
                    layer.params[id] = .ints(ints)
                }
            } else if isFloatText(String(valueText)) {
                guard let v = Float(valueText) else { throw fail("bad float '\(token)' in layer '\(layer.name)'") }
                layer.params[id] = .float(v)
            } else {
                guard let v = Int(valueText) else { throw fail("bad value '\(token)' in layer '\(layer.name)'") }
                layer.params[id] = .int(v)
            }
        }
        return layer
    }

    /// NCNN's rule: a value is a float when it contains '.' or 'e'.
    private static func isFloatText(_ text: String) -> Bool { text.contains(".") || text.lowercased().contains("e") }
}
