import CoreMLFormat
import FerryIR

/// `--target coreml`: `model.mlpackage` (ML Program, iOS 15+; iOS 16 with int8 weights), float16
/// compute unless `--coreml-precision float32`; `--quantize dynamic`/`int8` store per-channel int8
/// weights as constexpr_affine_dequantize (activations stay float), `fp16` float16 weights;
/// `--input-mean`/`--input-std` make an image input, normalized by `mul`/`add` ops in the program.
struct CoreMLTarget: TargetWriter {
    func write(_ model: Model, options: ConversionOptions) throws -> TargetOutput {
        if options.coreML.format == .neuralnetwork { return try writeNeuralNetwork(model, options: options) }
        var coreML = options.coreML
        coreML.imageInput = options.inputNormalization?.imageInput
        let (spec, sourceNames) = try CoreMLExporter.exportNamed(model, options: coreML)
        let package = CoreMLExporter.package(spec)
        let root = ConversionTarget.coreml.fileName
        let files = package.files().map { TargetFile(path: root + "/" + $0.path, bytes: $0.bytes) }
        // Read back from the encoded bytes, so verification runs what the device gets; the
        // short value names get back the source's, so per-layer drift pairs them.
        // An image input reads back taking the source's normalized tensor, turned back into
        // pixels with the flags' mean and std, so the program's own scale and bias are checked.
        let readBack = try CoreMLImporter.importModel(try package.decode(name: root), sourceNames: sourceNames, imageInput: coreML.imageInput)
        let size = files.reduce(0) { $0 + $1.bytes.count }
        var details = ["precision": options.coreML.precision.rawValue, "specification_version": "\(spec.specificationVersion)",
                       "package_bytes": "\(size)"]
        if case .mlProgram(let program) = spec.body, let main = program.main {
            details["opset"] = main.opset
            details["mil_ops"] = "\(main.operations.filter { $0.type != "const" }.count)"
            let palettized = main.operations.filter { $0.type == "constexpr_lut_to_dense" }.count
            let sparse = main.operations.filter { $0.type == "constexpr_sparse_to_dense" }.count
            if palettized > 0 { details["palettized_weights"] = "\(palettized)" }
            if sparse > 0 { details["sparse_weights"] = "\(sparse)" }
            if let labels = options.coreML.classLabels { details["class_labels"] = "\(labels.count)" }
        }
        for input in spec.description.inputs {
            if case .image(let colorSpace) = input.kind { details["image_input"] = input.name; details["image_color_space"] = colorSpace.name }
        }
        var notes = ["Core ML package: \(size) bytes, \(details["opset"] ?? "") (spec \(spec.specificationVersion)), \(options.coreML.precision.rawValue) compute; read back and run in the reference core with \(options.coreML.precision == .float16 ? "float16 rounding after every op" : "float32")"]
        if let bits = options.coreML.compression.paletteBits {
            notes.append("\(details["palettized_weights"] ?? "0") weights palettized to \(bits) bits (k-means look-up tables); the drift above is of the palettized numbers")
        }
        if let sparse = details["sparse_weights"] { notes.append("\(sparse) pruned weights stored sparse (bit mask and nonzero values)") }
        notes.append("Core ML cannot run on Linux: the device's own kernels are checked only on a Mac (see docs/coreml.md)")
        return TargetOutput(files: files, readBack: readBack, notes: notes, details: details)
    }
}

extension CoreMLTarget {
    /// `--coreml-format neuralnetwork`: `model.mlmodel` (NeuralNetwork, spec 4 = iOS 13), weights
    /// inline (float32; float16 with `--quantize fp16`; 8-bit linear with `dynamic`/`int8`; a
    /// palette with `--palettize`), read back from the encoded bytes for verification.
    func writeNeuralNetwork(_ model: Model, options: ConversionOptions) throws -> TargetOutput {
        var coreML = options.coreML
        coreML.imageInput = options.inputNormalization?.imageInput
        let (spec, sourceNames) = try NeuralNetworkExporter.exportNamed(model, options: coreML)
        let bytes = NNEncoder().encode(spec)
        let file = NeuralNetworkExporter.fileName
        let decoded = try NNDecoder(file: file).decode(bytes)
        // Short blob names get back the source's, so per-layer drift pairs them.
        let readBack = try NeuralNetworkImporter.importModel(decoded, file: file, sourceNames: sourceNames)
        var storage: [String: Int] = [:]
        for layer in spec.layers {
            for weights in layer.kind.weights where weights.count >= 10 { storage[weights.storageName, default: 0] += weights.count }
        }
        var details = ["format": "neuralnetwork", "specification_version": "\(spec.specificationVersion)", "model_bytes": "\(bytes.count)",
                       "layers": "\(spec.layers.count)"]
        for (kind, count) in storage { details["weights_" + kind.replacingOccurrences(of: " ", with: "_")] = "\(count)" }
        if let labels = spec.classLabels { details["class_labels"] = "\(labels.count)" }
        if let image = spec.preprocessing.first { details["image_input"] = image.feature }
        let weights = storage.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", ")
        // Spec 4 is iOS 13, spec 5 (the aligned bilinear upsample modes) iOS 14.
        let iOS = spec.specificationVersion + 9
        let notes = [
            "Core ML NeuralNetwork: \(bytes.count) bytes, \(spec.layers.count) layers (spec \(spec.specificationVersion), iOS \(iOS)+), weights: \(weights.isEmpty ? "none" : weights); read back and run in the reference core in float32",
            "Core ML cannot run on Linux: the device's own kernels are checked only on a Mac (see docs/coreml.md)",
        ]
        return TargetOutput(files: [TargetFile(path: file, bytes: bytes)], readBack: readBack, notes: notes, details: details)
    }
}
