import FerryIR
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The first difference between two models, as a path to the field and the two values; nil when
/// they are equal in everything the ONNX reader reads except the producer (the writer records
/// Ferry). Tensors are compared byte for byte, floats by bit pattern.
enum ModelDifference {
    static func between(_ a: Model, _ b: Model) -> String? {
        if a.opsets != b.opsets { return "opsets: \(a.opsets) vs \(b.opsets)" }
        if a.irVersion != b.irVersion { return "ir_version: \(a.irVersion) vs \(b.irVersion)" }
        if a.modelVersion != b.modelVersion { return "model_version: \(a.modelVersion) vs \(b.modelVersion)" }
        if a.docString != b.docString { return "doc_string differs" }
        if a.metadata != b.metadata { return "metadata: \(a.metadata) vs \(b.metadata)" }
        return between(a.graph, b.graph, at: "graph")
    }

    static func between(_ a: Graph, _ b: Graph, at path: String) -> String? {
        if a.name != b.name { return "\(path).name: '\(a.name)' vs '\(b.name)'" }
        if a.docString != b.docString { return "\(path).doc_string differs" }
        if a.inputs != b.inputs { return "\(path).inputs: \(a.inputs) vs \(b.inputs)" }
        if a.outputs != b.outputs { return "\(path).outputs: \(a.outputs) vs \(b.outputs)" }
        if a.valueInfo != b.valueInfo { return "\(path).value_info differs" }
        if a.initializerOrder != b.initializerOrder { return "\(path).initializer order differs" }
        if Set(a.initializers.keys) != Set(b.initializers.keys) { return "\(path).initializer names differ" }
        for name in a.initializerOrder {
            if let difference = between(a.initializers[name]!, b.initializers[name]!) {
                return "\(path).initializer '\(name)': \(difference)"
            }
        }
        if a.nodes.count != b.nodes.count { return "\(path): \(a.nodes.count) nodes vs \(b.nodes.count)" }
        for (index, (x, y)) in zip(a.nodes, b.nodes).enumerated() {
            let at = "\(path).node[\(index)] \(x.label)"
            if x.name != y.name || x.opType != y.opType || x.domain != y.domain || x.docString != y.docString {
                return "\(at): name/op/domain/doc \(x.name)/\(x.opType)/\(x.domain) vs \(y.name)/\(y.opType)/\(y.domain)"
            }
            if x.inputs != y.inputs { return "\(at).inputs: \(x.inputs) vs \(y.inputs)" }
            if x.outputs != y.outputs { return "\(at).outputs: \(x.outputs) vs \(y.outputs)" }
            if Set(x.attributes.keys) != Set(y.attributes.keys) {
                return "\(at).attributes: \(x.attributes.keys.sorted()) vs \(y.attributes.keys.sorted())"
            }
            for name in x.attributes.keys.sorted() {
                if let difference = between(x.attributes[name]!, y.attributes[name]!, at: "\(at).\(name)") { return difference }
            }
        }
        return nil
    }

    static func between(_ a: Attribute, _ b: Attribute, at path: String) -> String? {
        switch (a, b) {
        case (.float(let x), .float(let y)): return x.bitPattern == y.bitPattern ? nil : "\(path): \(x) vs \(y)"
        case (.int(let x), .int(let y)): return x == y ? nil : "\(path): \(x) vs \(y)"
        case (.string(let x), .string(let y)): return x == y ? nil : "\(path): '\(x)' vs '\(y)'"
        case (.floats(let x), .floats(let y)): return x.map(\.bitPattern) == y.map(\.bitPattern) ? nil : "\(path): \(x) vs \(y)"
        case (.ints(let x), .ints(let y)): return x == y ? nil : "\(path): \(x) vs \(y)"
        case (.strings(let x), .strings(let y)): return x == y ? nil : "\(path): \(x) vs \(y)"
        case (.tensor(let x), .tensor(let y)): return between(x, y).map { "\(path): \($0)" }
        case (.graph(let x), .graph(let y)): return between(x, y, at: path)
        case (.tensors(let x), .tensors(let y)):
            guard x.count == y.count else { return "\(path): \(x.count) tensors vs \(y.count)" }
            for (i, (p, q)) in zip(x, y).enumerated() { if let d = between(p, q) { return "\(path)[\(i)]: \(d)" } }
            return nil
        case (.graphs(let x), .graphs(let y)):
            guard x.count == y.count else { return "\(path): \(x.count) graphs vs \(y.count)" }
            for (i, (p, q)) in zip(x, y).enumerated() { if let d = between(p, q, at: "\(path)[\(i)]") { return d } }
            return nil
        default: return "\(path): \(a.typeName) vs \(b.typeName)"
        }
    }

    static func between(_ a: Tensor, _ b: Tensor) -> String? {
        if a.dataType != b.dataType { return "type \(a.dataType) vs \(b.dataType)" }
        if a.shape != b.shape { return "shape \(a.shape) vs \(b.shape)" }
        if a.dataType == .string { return a.storage.strings == b.storage.strings ? nil : "strings differ" }
        guard a.byteCount > 0 else { return nil }
        return memcmp(a.storage.bytes, b.storage.bytes, a.byteCount) == 0 ? nil : "bytes differ"
    }
}
