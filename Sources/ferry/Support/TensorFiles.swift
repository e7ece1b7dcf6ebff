import FerryIR
import Foundation
import ONNXFormat
import TensorIO

/// Loads `--input` arguments: `NAME=FILE` with FILE a .npy, .npz (the array named NAME, or the
/// only array) or ONNX TensorProto .pb; or a bare .npz whose arrays are named after the inputs.
func loadInputs(_ arguments: [String]) throws -> [String: Tensor] {
    var feeds: [String: Tensor] = [:]
    for argument in arguments {
        if let equals = argument.firstIndex(of: "="), !argument[..<equals].contains("/") {
            let name = String(argument[..<equals])
            let path = String(argument[argument.index(after: equals)...])
            feeds[name] = try loadTensor(path: path, name: name)
        } else if argument.hasSuffix(".npz") {
            for (name, tensor) in try NPZ.read(path: argument) { feeds[name] = tensor }
        } else {
            throw CLIError("--input '\(argument)': expected NAME=FILE (or an .npz whose arrays are named after the inputs)")
        }
    }
    return feeds
}

func loadTensor(path: String, name: String) throws -> Tensor {
    guard FileManager.default.fileExists(atPath: path) else { throw CLIError("input file \(path) does not exist") }
    switch (path as NSString).pathExtension.lowercased() {
    case "npy":
        return try NPY.read(try Data(contentsOf: URL(fileURLWithPath: path)), file: path)
    case "npz":
        let arrays = try NPZ.read(path: path)
        if let match = arrays.first(where: { $0.name == name }) { return match.tensor }
        if arrays.count == 1 { return arrays[0].tensor }
        throw CLIError("\(path) has no array named '\(name)' (it has \(arrays.map(\.name).joined(separator: ", ")))")
    case "pb":
        return try ONNXReader.loadTensor(path: path).tensor
    default:
        throw CLIError("input file \(path): expected .npy, .npz or .pb")
    }
}

/// Writes `data` to `url` through a temporary file in the same folder and a rename, so a reader
/// never sees a half-written file.
func writeAtomically(_ data: Data, to url: URL) throws {
    let temporary = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).\(getpid()).tmp")
    try data.write(to: temporary)
    if rename(temporary.path, url.path) != 0 {
        try? FileManager.default.removeItem(at: temporary)
        throw CLIError("cannot write \(url.path): \(String(cString: strerror(errno)))")
    }
}
