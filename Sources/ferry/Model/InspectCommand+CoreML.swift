import CoreMLFormat
import Foundation

/// `ferry inspect` of a Core ML model: a `.mlpackage` folder or a `.mlmodel` file.
enum CoreMLInspection {
    static func isCoreML(path: String) -> Bool {
        let trimmed = path.hasSuffix("/") ? String(path.dropLast()) : path
        return trimmed.hasSuffix(".mlpackage") || trimmed.hasSuffix(".mlmodel")
            || FileManager.default.fileExists(atPath: trimmed + "/Manifest.json")
    }

    static func describe(path: String, json: Bool) throws -> String {
        let summary: CoreMLSummary
        do { summary = try CoreMLSummary.read(path: path) } catch let error as CoreMLReadError { throw CLIError("\(path): \(error)") }
        let bytes = fileBytes(path)
        return json ? self.json(summary, path: path, bytes: bytes) : text(summary, path: path, bytes: bytes)
    }

    /// A file's size, or the sum of a folder's files.
    static func fileBytes(_ path: String) -> Int {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { return 0 }
        guard isDirectory.boolValue else { return ((try? FileManager.default.attributesOfItem(atPath: path)[.size]) as? Int) ?? 0 }
        var total = 0
        for case let item as String in FileManager.default.enumerator(atPath: path) ?? FileManager.DirectoryEnumerator() {
            total += ((try? FileManager.default.attributesOfItem(atPath: path + "/" + item)[.size]) as? Int) ?? 0
        }
        return total
    }

    static func typeName(_ type: ArrayDataType) -> String {
        switch type {
        case .float32: return "float32"
        case .float64: return "float64"
        case .float16: return "float16"
        case .int32: return "int32"
        }
    }

    /// "float32 [1, 10]", "string" or "dictionary(string → double)".
    static func featureText(_ feature: FeatureDescription) -> String {
        switch feature.kind {
        case .multiArray: return "\(typeName(feature.dataType)) \(shapeText(feature))"
        case .string: return "string"
        case .stringKeyedDictionary: return "dictionary(string → double)"
        case .image(let colorSpace): return "image \(colorSpace.name) \(feature.shape[3])×\(feature.shape[2])"
        }
    }

    static func shapeText(_ feature: FeatureDescription) -> String {
        let dims = feature.shape.enumerated().map { index, dim -> String in
            guard let range = feature.ranges?[index], range.upper != range.lower else { return "\(dim)" }
            return "\(range.lower)…\(range.upper.map(String.init) ?? "∞")"
        }
        return "[" + dims.joined(separator: ", ") + "]"
    }

    static func text(_ s: CoreMLSummary, path: String, bytes: Int) -> String {
        var lines = ["\(path): Core ML \(s.modelType), spec version \(s.specificationVersion)"
                     + (s.opset.map { ", opset \($0)" } ?? "") + ", \(formatBytes(bytes))"]
        if !s.metadata.author.isEmpty { lines.append("  author: \(s.metadata.author)") }
        if !s.metadata.shortDescription.isEmpty { lines.append("  description: \(s.metadata.shortDescription)") }
        for (title, features) in [("inputs", s.inputs), ("outputs", s.outputs)] {
            lines.append("  \(title):")
            for f in features {
                lines.append("    \(f.name)  \(featureText(f))" + (f.shortDescription.isEmpty || f.shortDescription == f.name ? "" : "  (source: \(f.shortDescription))"))
            }
        }
        if !s.predictedFeatureName.isEmpty || !s.predictedProbabilitiesName.isEmpty {
            lines.append("  classifier: predicted feature '\(s.predictedFeatureName)', probabilities '\(s.predictedProbabilitiesName)'"
                         + (s.classLabels.isEmpty ? "" : ", \(s.classLabels.count) labels"))
        }
        let opCount = s.opHistogram.values.reduce(0, +)
        if s.modelType == "mlProgram" {
            lines.append("  \(opCount) MIL ops (constants not counted)")
            lines.append("  weights:")
            for (kind, w) in s.weights.sorted(by: { $0.value.bytes > $1.value.bytes }) {
                lines.append("    \(kind): \(w.tensors) tensors, \(grouped(w.values)) values, \(formatBytes(w.bytes))")
            }
            lines.append("  ops:")
            for (op, count) in s.opHistogram.sorted(by: { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }) {
                lines.append("    \(op) \(count)")
            }
        } else if !s.opHistogram.isEmpty {
            lines.append("  \(opCount) NeuralNetwork layers")
            for (feature, scaler) in s.imageScalers {
                lines.append("  image scaler '\(feature)': scale \(scaler.channelScale), bias \(scaler.biases.count == 3 ? "red, green, blue " : "gray ")\(scaler.biases.map { "\($0)" }.joined(separator: ", "))")
            }
            lines.append("  weights:")
            for (kind, w) in s.weights.sorted(by: { $0.value.bytes > $1.value.bytes }) {
                lines.append("    \(kind): \(w.tensors) tensors, \(grouped(w.values)) values, \(formatBytes(w.bytes))")
            }
            lines.append("  layers:")
            for (op, count) in s.opHistogram.sorted(by: { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }) {
                lines.append("    \(op) \(count)")
            }
        } else {
            lines.append("  (ops and weights are listed for ML Programs and NeuralNetworks only)")
        }
        return lines.joined(separator: "\n")
    }

    static func json(_ s: CoreMLSummary, path: String, bytes: Int) -> String {
        func features(_ list: [FeatureDescription]) -> [[String: Any]] {
            list.map { f in
                var entry: [String: Any] = ["name": f.name]
                switch f.kind {
                case .multiArray: entry["dtype"] = typeName(f.dataType); entry["shape"] = f.shape
                case .string: entry["dtype"] = "string"
                case .stringKeyedDictionary: entry["dtype"] = "dictionary(string,double)"
                case .image(let colorSpace): entry["dtype"] = "image"; entry["color_space"] = colorSpace.name; entry["shape"] = f.shape
                }
                if !f.shortDescription.isEmpty { entry["source_name"] = f.shortDescription }
                if let ranges = f.ranges { entry["ranges"] = ranges.map { [$0.lower, $0.upper.map { $0 as Any } ?? NSNull()] } }
                return entry
            }
        }
        var object: [String: Any] = [
            "file": path, "format": "coreml", "file_bytes": bytes, "specification_version": Int(s.specificationVersion),
            "model_type": s.modelType, "inputs": features(s.inputs), "outputs": features(s.outputs),
        ]
        if let opset = s.opset {
            object["opset"] = opset
            object["op_histogram"] = s.opHistogram
            object["mil_ops"] = s.opHistogram.values.reduce(0, +)
            object["weights"] = s.weights.mapValues { ["tensors": $0.tensors, "values": $0.values, "bytes": $0.bytes] }
        }
        if s.opset == nil && !s.opHistogram.isEmpty {
            object["layer_histogram"] = s.opHistogram
            object["layers"] = s.opHistogram.values.reduce(0, +)
            object["weights"] = s.weights.mapValues { ["tensors": $0.tensors, "values": $0.values, "bytes": $0.bytes] }
            object["image_scalers"] = Dictionary(uniqueKeysWithValues: s.imageScalers.map {
                ($0.feature, ["channel_scale": Double($0.scaler.channelScale), "biases": $0.scaler.biases.map { Double($0) }] as [String: Any])
            })
        }
        if !s.predictedFeatureName.isEmpty { object["predicted_feature_name"] = s.predictedFeatureName }
        if !s.predictedProbabilitiesName.isEmpty { object["predicted_probabilities_name"] = s.predictedProbabilitiesName }
        if !s.classLabels.isEmpty { object["class_labels"] = s.classLabels }
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .prettyPrinted])) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }
}
