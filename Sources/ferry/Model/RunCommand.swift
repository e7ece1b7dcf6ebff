import ArgumentParser
import FerryIR
import FerryRuntime
import Foundation
import TensorIO

/// `ferry run MODEL --input NAME=FILE … [--output-dir DIR] [--threads N]`.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a model in Ferry's reference CPU core.",
        discussion: """
        Inputs are NAME=FILE with FILE a .npy, .npz or ONNX TensorProto .pb file. With --output-dir,
        outputs are written as DIR/output_0.npy, output_1.npy, … in graph-output order, plus
        DIR/outputs.json mapping each file to its output name.
        """
    )

    @Argument(help: "The model file (.onnx or .tflite).")
    var model: String

    @Option(name: .customLong("input"), help: "An input as NAME=FILE (.npy, .npz, .pb); repeat for each input.")
    var inputs: [String] = []

    @Option(name: .customLong("output-dir"), help: "Folder to write output_N.npy and outputs.json into.")
    var outputDir: String?

    @Option(help: "Worker threads (results are identical for any count).")
    var threads: Int = 1

    @Flag(name: .customLong("all-values"), help: "With --output-dir, also write every intermediate value (for finding where two runtimes part).")
    var allValues = false

    @Option(help: ArgumentHelp("How quantized ops compute: auto (integer kernels with double rounding for .tflite, QDQ float for .onnx), float, double or single.", valueName: "mode"))
    var arithmetic: String = "auto"

    func validate() throws {
        guard threads >= 1 else { throw ValidationError("--threads must be at least 1") }
    }

    func run() throws {
        try reportingErrors {
            let (_, session) = try makeSession(path: model, threads: threads, arithmetic: arithmetic, exposingIntermediates: allValues)
            let feeds = try loadInputs(inputs)
            let outputs = try session.run(feeds)
            if let outputDir {
                let folder = URL(fileURLWithPath: outputDir)
                try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
                var mapping: [[String: Any]] = []
                for (index, tensor) in outputs.enumerated() {
                    let file = "output_\(index).npy"
                    try writeAtomically(try NPY.encode(tensor), to: folder.appendingPathComponent(file))
                    mapping.append(["file": file, "name": session.outputNames[index], "dtype": tensor.dataType.description, "shape": tensor.shape])
                }
                let json = try JSONSerialization.data(withJSONObject: ["outputs": mapping], options: [.sortedKeys, .prettyPrinted])
                try writeAtomically(json, to: folder.appendingPathComponent("outputs.json"))
            }
            for (index, tensor) in outputs.enumerated() {
                print("\(session.outputNames[index])  \(tensor.dataType)\(tensor.shape)  \(preview(tensor))")
            }
        }
    }

    func preview(_ tensor: Tensor) -> String {
        let values = tensor.dataType == .string ? [] : tensor.doubles().prefix(6).map { String(format: "%.6g", $0) }
        return "[" + values.joined(separator: ", ") + (tensor.count > 6 ? ", …]" : "]")
    }
}
