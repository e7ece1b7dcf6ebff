import CCoreML
import FerryIR
import Foundation

/// What `ferry inspect` shows of a Core ML model (`.mlpackage` folder or `.mlmodel` file):
/// spec version, model type, interface, MIL op histogram and how the weights are stored.
public struct CoreMLSummary: Sendable {
    /// How a group of constants is stored, with their element count and bytes in the file.
    public struct WeightStorage: Sendable, Equatable {
        public var tensors = 0
        public var values = 0
        public var bytes = 0
    }

    public var specificationVersion: Int32
    /// The Model.proto `Type` case: "mlProgram", "neuralNetwork", "neuralNetworkClassifier", …
    public var modelType: String
    public var opset: String?
    public var inputs: [FeatureDescription] = []
    public var outputs: [FeatureDescription] = []
    public var metadata = ModelMetadata()
    /// MIL op type → count, `const` excluded (constants are listed under `weights`).
    public var opHistogram: [String: Int] = [:]
    /// Storage kind ("fp16", "fp32", "int8", "palettized 4-bit", "sparse fp16", …) → totals.
    public var weights: [String: WeightStorage] = [:]
    /// Classifier fields of the model description, when set.
    public var predictedFeatureName = ""
    public var predictedProbabilitiesName = ""
    public var classLabels: [String] = []
    /// NeuralNetwork image inputs and their scalers.
    public var imageScalers: [(feature: String, scaler: NNImageScaler)] = []

    /// Reads a `.mlpackage` folder or a bare `.mlmodel` file (weights beside it in `weights/weight.bin`).
    public static func read(path: String) throws -> CoreMLSummary {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw CoreMLReadError.package(path: path, "does not exist")
        }
        let package: MLPackage
        if isDirectory.boolValue {
            package = try MLPackage.read(directory: path)
        } else {
            guard let spec = FileManager.default.contents(atPath: path) else { throw CoreMLReadError.package(path: path, "unreadable") }
            let folder = (path as NSString).deletingLastPathComponent
            let weights = FileManager.default.contents(atPath: (folder.isEmpty ? "." : folder) + "/weights/weight.bin").map { [UInt8]($0) }
            package = MLPackage(spec: [UInt8](spec), weights: weights)
        }
        return try summarize(package, name: path)
    }

    /// The summary of a package's bytes.
    public static func summarize(_ package: MLPackage, name: String = "model.mlpackage") throws -> CoreMLSummary {
        let header = try SpecDecoder.header(package.spec, file: name)
        guard header.modelType == "mlProgram" else {
            var summary = CoreMLSummary(specificationVersion: header.specificationVersion, modelType: header.modelType)
            summary.inputs = header.description.inputs
            summary.outputs = header.description.outputs
            summary.metadata = header.description.metadata
            summary.predictedFeatureName = header.description.predictedFeatureName
            summary.predictedProbabilitiesName = header.description.predictedProbabilitiesName
            summary.classLabels = header.classLabels
            // Layers are listed for the NeuralNetworks Ferry reads (rank-N layers it writes);
            // other ones (rank-5 layers, types Ferry never writes) still show their interface.
            if header.modelType == "neuralNetwork" || header.modelType == "neuralNetworkClassifier",
               let network = try? NNDecoder(file: name).decode(package.spec) {
                summary.addLayers(network)
            }
            return summary
        }
        let spec = try package.decode(name: name)
        var summary = CoreMLSummary(specificationVersion: spec.specificationVersion, modelType: header.modelType)
        summary.inputs = spec.description.inputs
        summary.outputs = spec.description.outputs
        summary.metadata = spec.description.metadata
        summary.predictedFeatureName = header.description.predictedFeatureName
        summary.predictedProbabilitiesName = header.description.predictedProbabilitiesName
        summary.classLabels = header.classLabels
        if case .mlProgram(let program) = spec.body, let main = program.main {
            summary.opset = main.opset
            for operation in main.operations {
                if operation.type != "const" { summary.opHistogram[operation.type, default: 0] += 1 }
                if operation.type == "classify", case .value(.strings(let labels))? = operation.inputs.first(where: { $0.parameter == "classes" })?.arguments.first {
                    summary.classLabels = labels
                }
                summary.countWeights(operation)
            }
        }
        return summary
    }

    /// Constants of at least this many elements count as weights (smaller ones are parameters).
    static let weightThreshold = 10

    private mutating func countWeights(_ operation: MILOperation) {
        func add(_ kind: String, values: Int, bytes: Int) {
            weights[kind, default: WeightStorage()].tensors += 1
            weights[kind, default: WeightStorage()].values += values
            weights[kind, default: WeightStorage()].bytes += bytes
        }
        func tensor(_ name: String) -> Tensor? { operation.attribute(name)?.tensor }
        let bytes = operation.attributes.compactMap { $0.value.tensor?.byteCount }.reduce(0, +)
        let values = operation.outputs.first.map { $0.type.shape.reduce(1) { $0 * ($1 ?? 1) } } ?? 0
        switch operation.type {
        case "const":
            guard let value = tensor("val"), value.count >= Self.weightThreshold,
                  [.float16, .float32].contains(value.dataType) else { return }
            add(MILDataType(value.dataType)!.description, values: value.count, bytes: value.byteCount)
        case "constexpr_affine_dequantize":
            add(tensor("quantized_data").map { MILDataType($0.dataType)?.description ?? "\($0.dataType)" } ?? "int8", values: values, bytes: bytes)
        case "constexpr_lut_to_dense":
            let entries = tensor("lut")?.count ?? 0
            add("palettized \(entries > 1 ? Int(log2(Double(entries))) : 0)-bit", values: values, bytes: bytes)
        case "constexpr_sparse_to_dense":
            add("sparse " + (tensor("nonzero_data").flatMap { MILDataType($0.dataType)?.description } ?? ""), values: values, bytes: bytes)
        default:
            return
        }
    }
}

extension SpecDecoder {
    /// The fields every model type has: spec version, model type, interface and metadata, and
    /// the class labels of a classifier. Reads any model, not only ML Programs.
    public static func header(_ bytes: [UInt8], file: String) throws -> SpecHeader {
        guard let model = bytes.withUnsafeBufferPointer({ core_ml__specification__model__unpack(nil, $0.count, $0.baseAddress) }) else {
            throw CoreMLReadError.spec(file: file, "not a Core ML model spec (protobuf parse failed; truncated or not .mlmodel)")
        }
        defer { core_ml__specification__model__free_unpacked(model, nil) }
        let decoder = SpecDecoder(file: file, weights: nil)
        var header = SpecHeader(specificationVersion: model.pointee.specificationversion,
                                modelType: SpecHeader.typeNames[Int(model.pointee.type_case.rawValue)] ?? "type \(model.pointee.type_case.rawValue)")
        header.description = try decoder.description(model.pointee.description, lenient: true)
        header.classLabels = decoder.classLabels(model)
        return header
    }
}

/// The model-type-independent part of a spec.
public struct SpecHeader: Sendable {
    public var specificationVersion: Int32
    public var modelType: String
    public var description = ModelDescription()
    public var classLabels: [String] = []

    /// Model.proto's `Type` oneof field numbers.
    static let typeNames: [Int: String] = [
        200: "pipelineClassifier", 201: "pipelineRegressor", 202: "pipeline", 300: "glmRegressor", 301: "supportVectorRegressor",
        302: "treeEnsembleRegressor", 303: "neuralNetworkRegressor", 304: "bayesianProbitRegressor", 400: "glmClassifier",
        401: "supportVectorClassifier", 402: "treeEnsembleClassifier", 403: "neuralNetworkClassifier",
        404: "kNearestNeighborsClassifier", 500: "neuralNetwork", 501: "itemSimilarityRecommender", 502: "mlProgram",
        555: "customModel", 556: "linkedModel", 560: "classConfidenceThresholding", 600: "oneHotEncoder", 601: "imputer",
        602: "featureVectorizer", 603: "dictVectorizer", 604: "scaler", 606: "categoricalMapping", 607: "normalizer",
        609: "arrayFeatureExtractor", 610: "nonMaximumSuppression", 900: "identity",
    ]
}

extension CoreMLSummary {
    /// NeuralNetwork layers by type (the NeuralNetworkLayer field names) and weights by storage.
    mutating func addLayers(_ spec: NeuralNetworkSpec) {
        for layer in spec.layers {
            opHistogram[layer.kind.typeName, default: 0] += 1
            for weights in layer.kind.weights where weights.count >= Self.weightThreshold {
                self.weights[weights.storageName, default: WeightStorage()].tensors += 1
                self.weights[weights.storageName, default: WeightStorage()].values += weights.count
                self.weights[weights.storageName, default: WeightStorage()].bytes += weights.byteCount
            }
        }
        imageScalers = spec.preprocessing.map { ($0.feature, $0.scaler) }
    }
}
