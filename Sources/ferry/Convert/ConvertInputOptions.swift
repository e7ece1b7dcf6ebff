import ArgumentParser
import CoreMLFormat
import FerryConvert
import FerryIR

/// `ferry convert` flags for the Core ML model format and for how apps feed inputs (image
/// normalization), kept apart from the rest so each target reads one declaration.
struct ConvertInputOptions: ParsableArguments {
    @Option(name: .customLong("coreml-format"), help: ArgumentHelp("Core ML model format: mlprogram (model.mlpackage, iOS 15+; default) or neuralnetwork (model.mlmodel, iOS 13+; 14+ for aligned bilinear upsampling).", valueName: "format"))
    var coreMLFormat: String = "mlprogram"

    @Option(name: .customLong("input-mean"), help: ArgumentHelp("The source expects (pixel − mean) / std of 0…255 pixels: mean per channel (V or V,V,V). Core ML (ML Program and NeuralNetwork): image input scale and bias; TFLite: normalization metadata.", valueName: "values"))
    var inputMean: String?

    @Option(name: .customLong("input-std"), help: ArgumentHelp("Standard deviation per channel (V or V,V,V) for --input-mean.", valueName: "values"))
    var inputStd: String?

    @Option(name: .customLong("image-input"), help: ArgumentHelp("The input --input-mean/--input-std describe (default: the first).", valueName: "name"))
    var imageInput: String?

    @Option(name: .customLong("color-space"), help: ArgumentHelp("Channel order of 3-channel image inputs: rgb (default) or bgr.", valueName: "order"))
    var colorSpace: String = "rgb"

    func apply(to options: inout ConversionOptions, model: Model) throws {
        guard let format = CoreMLExportOptions.Format(rawValue: coreMLFormat) else {
            throw CLIError("--coreml-format '\(coreMLFormat)': expected mlprogram or neuralnetwork")
        }
        if format != .mlprogram && options.target != .coreml { throw CLIError("--coreml-format applies to --target coreml only") }
        options.coreML.format = format
        guard colorSpace == "rgb" || colorSpace == "bgr" else { throw CLIError("--color-space '\(colorSpace)': expected rgb or bgr") }
        guard inputMean != nil || inputStd != nil else {
            if imageInput != nil || colorSpace != "rgb" { throw CLIError("--image-input and --color-space need --input-mean and --input-std") }
            return
        }
        guard let inputMean, let inputStd else { throw CLIError("--input-mean and --input-std go together") }
        guard options.target == .coreml || options.target == .tflite else { throw CLIError("--input-mean/--input-std apply to --target coreml and tflite only") }
        func values(_ text: String, _ flag: String) throws -> [Float] {
            let parts = text.split(separator: ",").map { Float($0.trimmingCharacters(in: .whitespaces)) }
            guard !parts.isEmpty, parts.allSatisfy({ $0 != nil && $0!.isFinite }) else { throw CLIError("\(flag) '\(text)': expected numbers separated by commas") }
            return parts.map { $0! }
        }
        let mean = try values(inputMean, "--input-mean"), std = try values(inputStd, "--input-std")
        if let bad = std.first(where: { $0 <= 0 }) { throw CLIError("--input-std \(bad): a standard deviation must be positive") }
        let inputs = model.graph.runtimeInputs.map(\.name)
        if let imageInput, !inputs.contains(imageInput) {
            throw CLIError("--image-input '\(imageInput)': the model's inputs are \(inputs.joined(separator: ", "))")
        }
        options.inputNormalization = InputNormalization(input: imageInput, mean: mean, std: std, colorSpace: colorSpace == "bgr" ? .bgr : .rgb)
    }
}
