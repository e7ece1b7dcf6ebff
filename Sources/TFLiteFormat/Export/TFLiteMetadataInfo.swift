/// The metadata entries the exporter writes beside the graph.
public enum TFLiteMetadataInfo {
    /// Metadata name of the JSON list of the source model's input and output names, in order.
    public static let ioNamesKey = "ferry_io_names"

    /// The oldest TensorFlow Lite runtime that has every builtin (at its version) used.
    static func minimumRuntime(for codes: [TFLiteOperatorCode]) -> String {
        let newer: [TFLiteBuiltinOperator: String] = [
            .gelu: "2.9.0", .batchMatMul: "2.3.0", .hardSwish: "1.15.0", .leakyRelu: "1.14.0",
            .resizeNearestNeighbor: "1.13.1", .splitV: "1.13.1", .squeeze: "1.6.0", .stridedSlice: "1.6.0",
        ]
        var best = [1, 5, 0]
        func parse(_ text: String) -> [Int] { text.split(separator: ".").map { Int($0) ?? 0 } }
        func raise(_ required: [Int]) { if best.lexicographicallyPrecedes(required) { best = required } }
        for code in codes {
            raise(newer[code.builtin].map(parse) ?? [1, 5, 0])
            if code.builtin == .fullyConnected && code.version >= 5 { raise([2, 1, 0]) }
            if code.builtin == .transposeConv && code.version >= 3 { raise([2, 2, 0]) }
        }
        return best.map(String.init).joined(separator: ".")
    }

    /// `{"inputs":[…],"outputs":[…]}` with JSON string escaping.
    static func ioNames(inputs: [String], outputs: [String]) -> String {
        func quote(_ s: String) -> String {
            var out = "\""
            for scalar in s.unicodeScalars {
                switch scalar {
                case "\"": out += "\\\""
                case "\\": out += "\\\\"
                case "\n": out += "\\n"
                case "\t": out += "\\t"
                case "\r": out += "\\r"
                default:
                    if scalar.value < 0x20 { out += String(format: "\\u%04x", scalar.value) } else { out.unicodeScalars.append(scalar) }
                }
            }
            return out + "\""
        }
        return "{\"inputs\":[\(inputs.map(quote).joined(separator: ","))],\"outputs\":[\(outputs.map(quote).joined(separator: ","))]}"
    }
}
