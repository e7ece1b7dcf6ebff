/// What the user declared for the support library: model facts, labels of the first output and
/// the normalization of an input fed with pixel values 0…255.
public struct TFLiteMetadataOptions: Sendable {
    public var name = ""
    public var description = ""
    public var version = ""
    public var author = ""
    public var license = ""
    /// Class labels of the first output (`labels.txt`, TENSOR_AXIS_LABELS).
    public var labels: [String]?
    /// The input (nil: the first) the app fills with pixels, normalized as (pixel − mean) / std.
    public var normalizedInput: String?
    public var mean: [Float] = []
    public var std: [Float] = []

    public init() {}

    /// The packed file holding the labels.
    public static let labelsFile = "labels.txt"
}

extension TFLiteSupportMetadata {
    /// Metadata describing `model`'s one subgraph: every input and output by its tensor name,
    /// image content and normalization for the declared input, labels for the first output.
    public init(model: TFLiteModel, options: TFLiteMetadataOptions) throws {
        self.init()
        guard let subgraph = model.subgraphs.first else { throw TFLiteMetadataError.invalid("the model has no subgraph") }
        name = options.name
        description = options.description
        version = options.version
        author = options.author
        license = options.license
        subgraphName = model.signatureDefs.first?.signatureKey ?? subgraph.name
        func tensor(_ index: Int32) throws -> TFLiteTensor {
            guard index >= 0, Int(index) < subgraph.tensors.count else { throw TFLiteMetadataError.invalid("subgraph I/O tensor \(index) does not exist") }
            return subgraph.tensors[Int(index)]
        }
        let inputTensors = try subgraph.inputs.map(tensor), outputTensors = try subgraph.outputs.map(tensor)
        let normalized = options.mean.isEmpty ? nil : (options.normalizedInput ?? inputTensors.first?.name)
        if let normalized, !inputTensors.contains(where: { $0.name == normalized }) {
            throw TFLiteMetadataError.invalid("normalized input '\(normalized)' is not an input of the model (inputs: \(inputTensors.map(\.name).joined(separator: ", ")))")
        }
        inputs = try inputTensors.map { t in
            var m = Tensor(name: t.name)
            guard t.name == normalized else { return m }
            try m.describeImage(t, mean: options.mean, std: options.std)
            return m
        }
        outputs = outputTensors.map { Tensor(name: $0.name) }
        if let labels = options.labels {
            guard let first = outputTensors.first else { throw TFLiteMetadataError.invalid("--labels: the model has no output") }
            let classes = Int(first.shape.last ?? 0)
            guard classes == labels.count else {
                throw TFLiteMetadataError.invalid("--labels: \(labels.count) labels, but output '\(first.name)' has \(classes) values along its last axis \(first.shape)")
            }
            outputs[0].description = "Probabilities of the \(labels.count) labels respectively."
            outputs[0].associatedFiles = [AssociatedFile(name: TFLiteMetadataOptions.labelsFile,
                                                         description: "Labels for objects that the model can recognize.", type: .tensorAxisLabels)]
        }
    }
}

extension TFLiteSupportMetadata.Tensor {
    /// An input fed with pixels: NHWC [1, H, W, 1 or 3] is an image (the support library's
    /// `TensorImage`); another layout is a feature tensor, normalized along its last axis as
    /// the support library does, so per-channel values need channels last.
    mutating func describeImage(_ t: TFLiteTensor, mean: [Float], std: [Float]) throws {
        let shape = t.shape.map(Int.init)
        let isImage = shape.count == 4 && shape[0] == 1 && (shape[3] == 1 || shape[3] == 3)
        let channels = shape.last ?? 1
        for (flag, values) in [("--input-mean", mean), ("--input-std", std)] where values.count != 1 && values.count != channels {
            throw TFLiteMetadataError.invalid("\(flag): \(values.count) values for input '\(t.name)' of shape \(shape), whose last axis has \(channels)")
        }
        if !isImage && (Set(mean).count > 1 || Set(std).count > 1) && shape.count == 4 {
            throw TFLiteMetadataError.invalid("input '\(t.name)' of shape \(shape) is not NHWC: the support library normalizes along the last axis, so give one --input-mean and one --input-std value")
        }
        normalization = (mean, std)
        if isImage { content = .image(grayscale: shape[3] == 1, width: shape[2], height: shape[1]) }
        description = "Input image to be normalized as (pixel − mean) / std."
        let count = Swift.max(mean.count, std.count)
        let pairs = (0..<count).map { (mean[mean.count == 1 ? 0 : $0], std[std.count == 1 ? 0 : $0]) }
        min = pairs.map { (0 - $0.0) / $0.1 }
        max = pairs.map { (255 - $0.0) / $0.1 }
    }
}
