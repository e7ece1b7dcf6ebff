import Foundation
import NCNNFormat

/// What `ferry inspect` adds for an NCNN `.param`: its own layer and blob counts, layer types
/// and the blobs an app feeds and extracts (the IR summary follows, as the reader imports it).
struct NCNNLayerSummary {
    let file: NCNNParamFile

    init?(path: String) {
        guard modelFormat(path: path) == "ncnn", let data = FileManager.default.contents(atPath: path),
              let text = String(data: data, encoding: .utf8), let file = try? NCNNParamFile.parse(text, file: path) else { return nil }
        self.file = file
    }

    var histogram: [String: Int] {
        var result: [String: Int] = [:]
        for layer in file.layers { result[layer.type, default: 0] += 1 }
        return result
    }

    var inputBlobs: [String] { file.layers.filter { $0.type == "Input" }.flatMap(\.outputs) }

    var outputBlobs: [String] {
        let read = Set(file.layers.flatMap(\.inputs))
        return file.blobNames.filter { !read.contains($0) && !inputBlobs.contains($0) }
    }

    func lines() -> [String] {
        var lines = ["  ncnn: \(file.layers.count) layers, \(file.blobNames.count) blobs; input blobs \(inputBlobs.joined(separator: ", ")); output blobs \(outputBlobs.joined(separator: ", "))",
                     "  ncnn layers:"]
        for (type, count) in histogram.sorted(by: { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }) {
            lines.append("    \(type) \(count)")
        }
        return lines
    }

    func json() -> [String: Any] {
        ["layer_count": file.layers.count, "blob_count": file.blobNames.count, "layer_histogram": histogram,
         "input_blobs": inputBlobs, "output_blobs": outputBlobs,
         "layers": file.layers.map { ["type": $0.type, "name": $0.name, "inputs": $0.inputs, "outputs": $0.outputs] as [String: Any] }]
    }
}
