import ArgumentParser
import FerryIR
import FerryRuntime
import Foundation

/// `ferry inspect MODEL [--json]`: what a model takes, gives, uses and weighs.
struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Show a model's inputs, outputs, opsets, op histogram, parameter count and size by dtype."
    )

    @Argument(help: "The model (.onnx, .tflite, .mlpackage or .mlmodel, NCNN .param with its .bin beside it) or bundle (.ferry) file.")
    var model: String

    @Flag(help: "Print one JSON object instead of text.")
    var json = false

    @Flag(help: "Also infer and list the type and shape of every intermediate value.")
    var shapes = false

    func run() throws {
        try reportingErrors {
            // Core ML models are described from their spec (CoreMLFormat), not as an IR graph.
            if CoreMLInspection.isCoreML(path: model) {
                print(try CoreMLInspection.describe(path: model, json: json))
                return
            }
            // A bundle describes itself: manifest, signature, files (FerryBundle).
            if let description = try describeBundleIfAny(path: model) {
                print(description)
                return
            }
            var loaded = try loadModel(path: model)
            if shapes {
                do { loaded = try ShapeInference.infer(loaded) } catch let error as RuntimeError { throw CLIError("\(model): \(error)") }
            }
            let summary = ModelSummary(loaded, path: model, listValues: shapes)
            print(json ? summary.json() : summary.text())
        }
    }
}

/// The facts `inspect` reports, computed once and rendered as text or JSON.
struct ModelSummary {
    let path: String
    let model: Model
    let fileBytes: Int
    var opHistogram: [String: Int] = [:]
    var nodeCount = 0
    var parameters: [DataType: Int] = [:]

    let listValues: Bool

    init(_ model: Model, path: String, listValues: Bool = false) {
        self.model = model
        self.path = path
        self.listValues = listValues
        fileBytes = ((try? FileManager.default.attributesOfItem(atPath: path)[.size]) as? Int) ?? 0
        count(model.graph)
    }

    private mutating func count(_ graph: Graph) {
        for tensor in graph.initializers.values { parameters[tensor.dataType, default: 0] += tensor.count }
        for node in graph.nodes {
            nodeCount += 1
            let name = node.domain.isEmpty || node.domain == "ai.onnx" ? node.opType : "\(node.domain).\(node.opType)"
            opHistogram[name, default: 0] += 1
            for attribute in node.attributes.values {
                if case .tensor(let t) = attribute { parameters[t.dataType, default: 0] += t.count }
                for subgraph in attribute.subgraphs { count(subgraph) }
            }
        }
    }

    var parameterCount: Int { parameters.values.reduce(0, +) }

    func bytes(_ type: DataType) -> Int { (parameters[type] ?? 0) * max(type.byteSize, 1) }

    static func shapeJSON(_ type: ValueType?) -> Any {
        guard let shape = type?.shape else { return NSNull() }
        return shape.map { dim -> Any in
            switch dim {
            case .fixed(let size): return size
            case .symbol(let name): return name
            case .unknown: return NSNull()
            }
        }
    }

    func json() -> String {
        func values(_ infos: [ValueInfo]) -> [[String: Any]] {
            infos.map { ["name": $0.name, "dtype": $0.type.map { $0.dataType.description } ?? NSNull(),
                         "shape": ModelSummary.shapeJSON($0.type)] }
        }
        var intermediates: [[String: Any]] = []
        if listValues {
            for node in model.graph.nodes {
                for output in node.outputs where !output.isEmpty {
                    let info = model.graph.valueInfo[output] ?? model.graph.outputs.first { $0.name == output }
                    intermediates.append(["name": output, "node": node.name, "op": node.opType,
                                   "dtype": info?.type.map { $0.dataType.description } ?? NSNull(),
                                   "shape": ModelSummary.shapeJSON(info?.type)])
                }
            }
        }
        var bytesByType: [String: Int] = [:]
        var countByType: [String: Int] = [:]
        for type in parameters.keys { bytesByType[type.description] = bytes(type); countByType[type.description] = parameters[type] }
        var object: [String: Any] = [
            "file": path, "format": modelFormat(path: path), "file_bytes": fileBytes,
            "ir_version": model.irVersion,
            "opsets": Dictionary(uniqueKeysWithValues: model.opsets.map { ($0.key.isEmpty ? "ai.onnx" : $0.key, $0.value) }),
            "producer": ["name": model.producerName, "version": model.producerVersion],
            "inputs": values(model.graph.runtimeInputs), "outputs": values(model.graph.outputs),
            "node_count": nodeCount, "op_histogram": opHistogram,
            "parameter_count": parameterCount,
            "parameters_by_dtype": countByType, "weight_bytes_by_dtype": bytesByType,
        ]
        if listValues { object["values"] = intermediates }
        if let ncnn = NCNNLayerSummary(path: path) { object["ncnn"] = ncnn.json() }
        if let metadata = TFLiteMetadataSummary(path: path) { object["tflite_metadata"] = metadata.json() }
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .prettyPrinted])) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }

    func text() -> String {
        var lines: [String] = []
        let opsets = model.opsets.sorted { $0.key < $1.key }.map { "\($0.key.isEmpty ? "ai.onnx" : $0.key) \($0.value)" }
        let formatName = ["tflite": "TFLite", "ncnn": "NCNN", "ort": "ORT format"][modelFormat(path: path)] ?? "ONNX"
        lines.append("\(path): \(formatName) model, \(formatBytes(fileBytes))")
        if let ncnn = NCNNLayerSummary(path: path) { lines += ncnn.lines() }
        if let metadata = TFLiteMetadataSummary(path: path) { lines += metadata.lines() }
        lines.append("  ir version \(model.irVersion); opsets \(opsets.joined(separator: ", "))"
                     + (model.producerName.isEmpty ? "" : "; made by \(model.producerName) \(model.producerVersion)"))
        lines.append("  inputs:")
        for input in model.graph.runtimeInputs { lines.append("    \(input.name)  \(input.type.map(\.description) ?? "?")") }
        lines.append("  outputs:")
        for output in model.graph.outputs { lines.append("    \(output.name)  \(output.type.map(\.description) ?? "?")") }
        lines.append("  \(nodeCount) nodes, \(grouped(parameterCount)) parameters")
        for type in parameters.keys.sorted(by: { bytes($0) > bytes($1) }) {
            lines.append("    \(type): \(grouped(parameters[type]!)) values, \(formatBytes(bytes(type)))")
        }
        lines.append("  ops:")
        for (op, count) in opHistogram.sorted(by: { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }) {
            lines.append("    \(op) \(count)")
        }
        if listValues {
            lines.append("  values (inferred):")
            for node in model.graph.nodes {
                for output in node.outputs where !output.isEmpty {
                    let info = model.graph.valueInfo[output] ?? model.graph.outputs.first { $0.name == output }
                    lines.append("    \(output)  \(info?.type.map(\.description) ?? "?")  ← \(node.opType)\(node.name.isEmpty ? "" : " '\(node.name)'")")
                }
            }
        }
        return lines.joined(separator: "\n")
    }
}

func grouped(_ value: Int) -> String {
    let digits = String(value)
    var out = ""
    for (index, char) in digits.enumerated() {
        if index > 0 && (digits.count - index) % 3 == 0 { out.append(",") }
        out.append(char)
    }
    return out
}

func formatBytes(_ bytes: Int) -> String {
    if bytes >= 1 << 20 { return String(format: "%.2f MiB", Double(bytes) / 1048576) }
    if bytes >= 1 << 10 { return String(format: "%.1f KiB", Double(bytes) / 1024) }
    return "\(bytes) B"
}
