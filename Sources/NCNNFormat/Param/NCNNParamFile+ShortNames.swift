/// The names a file was written with in place of longer ones, and what each stands for.
public struct NCNNNameMap: Sendable, Equatable {
    /// Written blob name → the blob name it stands for.
    public var blobs: [String: String]
    /// Written layer name → the layer name it stands for.
    public var layers: [String: String]

    public init(blobs: [String: String] = [:], layers: [String: String] = [:]) {
        self.blobs = blobs
        self.layers = layers
    }
}

extension NCNNParamFile {
    /// This file with short names, as NCNN's own converters write them: each layer named by its
    /// index, each blob by a number in order of first appearance, except the blobs in `fixed`
    /// (old name → name to write: the graph inputs and outputs apps ask for by name). Returns
    /// the map back to the old names, so a reader can pair the file's values with the source's.
    public func shortNames(fixing fixed: [String: String]) -> (file: NCNNParamFile, names: NCNNNameMap) {
        let reserved = Set(fixed.values)
        var written: [String: String] = fixed
        var next = 0
        func short(_ blob: String) -> String {
            if let name = written[blob] { return name }
            while reserved.contains(String(next)) { next += 1 }
            let name = String(next)
            next += 1
            written[blob] = name
            return name
        }
        var names = NCNNNameMap()
        var file = self
        for index in file.layers.indices {
            var layer = file.layers[index]
            layer.inputs = layer.inputs.map(short)
            layer.outputs = layer.outputs.map(short)
            names.layers[String(index)] = layer.name
            layer.name = String(index)
            file.layers[index] = layer
        }
        for (old, new) in written { names.blobs[new] = old }
        return (file, names)
    }

    /// This file with names replaced through `names` (names missing from it stay).
    public func renamed(_ names: NCNNNameMap) -> NCNNParamFile {
        var file = self
        for index in file.layers.indices {
            file.layers[index].name = names.layers[file.layers[index].name] ?? file.layers[index].name
            file.layers[index].inputs = file.layers[index].inputs.map { names.blobs[$0] ?? $0 }
            file.layers[index].outputs = file.layers[index].outputs.map { names.blobs[$0] ?? $0 }
        }
        return file
    }
}
