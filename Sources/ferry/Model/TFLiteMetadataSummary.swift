import Foundation
import TFLiteFormat

/// The support-library metadata of a `.tflite` file for `ferry inspect`: model facts, each
/// tensor's content, normalization and stats, and the files packed in the appended zip.
struct TFLiteMetadataSummary {
    let metadata: TFLiteSupportMetadata
    let files: [(name: String, bytes: Int)]

    /// Nil when `path` is not a .tflite file or has no TFLITE_METADATA entry; a malformed one is
    /// shown as what it is rather than hidden.
    init?(path: String) {
        guard path.hasSuffix(".tflite"), let data = FileManager.default.contents(atPath: path) else { return nil }
        guard let read = try? TFLiteMetadataPopulator.read([UInt8](data)) else { return nil }
        metadata = read.metadata
        files = read.files.map { ($0.name, $0.bytes.count) }
    }

    private static func tensorText(_ t: TFLiteSupportMetadata.Tensor) -> String {
        var parts: [String] = []
        switch t.content {
        case .feature: parts.append("feature")
        case .image(let grayscale, let width, let height): parts.append("image \(grayscale ? "grayscale" : "rgb") \(width)×\(height)")
        }
        if let n = t.normalization { parts.append("normalized: mean \(n.mean.map { "\($0)" }.joined(separator: ",")) std \(n.std.map { "\($0)" }.joined(separator: ","))") }
        if !t.min.isEmpty { parts.append("range \(t.min.map { "\($0)" }.joined(separator: ","))…\(t.max.map { "\($0)" }.joined(separator: ","))") }
        for file in t.associatedFiles { parts.append("\(file.name) (\(file.type == .tensorAxisLabels ? "axis labels" : "type \(file.type.rawValue)"))") }
        return parts.joined(separator: "; ")
    }

    func lines() -> [String] {
        var lines = ["  support-library metadata (TFLITE_METADATA, parser ≥ \(metadata.minParserVersion)): '\(metadata.name)'"
                     + (metadata.author.isEmpty ? "" : ", author \(metadata.author)") + (metadata.license.isEmpty ? "" : ", licence \(metadata.license)")]
        for t in metadata.inputs { lines.append("    input \(t.name): \(Self.tensorText(t))") }
        for t in metadata.outputs { lines.append("    output \(t.name): \(Self.tensorText(t))") }
        for file in files { lines.append("    packed file \(file.name) (\(file.bytes) bytes)") }
        return lines
    }

    func json() -> [String: Any] {
        func tensor(_ t: TFLiteSupportMetadata.Tensor) -> [String: Any] {
            var entry: [String: Any] = ["name": t.name]
            switch t.content {
            case .feature: entry["content"] = "feature"
            case .image(let grayscale, let width, let height):
                entry["content"] = "image"
                entry["color_space"] = grayscale ? "grayscale" : "rgb"
                entry["size"] = [width, height]
            }
            if let n = t.normalization { entry["mean"] = n.mean.map(Double.init); entry["std"] = n.std.map(Double.init) }
            if !t.min.isEmpty { entry["min"] = t.min.map(Double.init); entry["max"] = t.max.map(Double.init) }
            if !t.associatedFiles.isEmpty { entry["associated_files"] = t.associatedFiles.map { ["name": $0.name, "type": Int($0.type.rawValue)] } }
            return entry
        }
        return ["name": metadata.name, "description": metadata.description, "version": metadata.version, "author": metadata.author,
                "license": metadata.license, "min_parser_version": metadata.minParserVersion, "subgraph": metadata.subgraphName,
                "inputs": metadata.inputs.map(tensor), "outputs": metadata.outputs.map(tensor),
                "packed_files": files.map { ["name": $0.name, "bytes": $0.bytes] }]
    }
}
