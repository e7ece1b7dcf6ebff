import CCoreML
import FerryIR

/// Parses a Core ML model spec (Model.proto) through protobuf-c into a `CoreMLModelSpec`,
/// reading `BlobFileValue` constants out of the weight file.
public struct SpecDecoder {
    /// The spec file's name in errors.
    public var file: String
    public var weights: BlobStorageReader?

    public init(file: String = "model.mlmodel", weights: BlobStorageReader?) {
        self.file = file
        self.weights = weights
    }

    /// The entries of a repeated message field. protobuf-c leaves none null in a message it
    /// parsed; a null one is still an error naming the field, never a trap.
    func messages<T>(_ list: UnsafeMutablePointer<UnsafeMutablePointer<T>?>?, _ count: Int, field: String) throws -> [UnsafeMutablePointer<T>] {
        try repeated(list, count).enumerated().map { index, entry in
            guard let entry else { throw CoreMLReadError.spec(file: file, "\(field)[\(index)] is missing") }
            return entry
        }
    }

    public func decode(_ bytes: [UInt8]) throws -> CoreMLModelSpec {
        guard let model = bytes.withUnsafeBufferPointer({ core_ml__specification__model__unpack(nil, $0.count, $0.baseAddress) }) else {
            throw CoreMLReadError.spec(file: file, "not a Core ML model spec (protobuf parse failed; truncated or not .mlmodel)")
        }
        defer { core_ml__specification__model__free_unpacked(model, nil) }
        let description = try self.description(model.pointee.description, lenient: false)
        guard model.pointee.type_case == CORE_ML__SPECIFICATION__MODEL__TYPE_ML_PROGRAM, let program = model.pointee.mlprogram else {
            throw CoreMLReadError.spec(file: file, "model type \(model.pointee.type_case.rawValue) is not an ML Program; Ferry reads ML Programs")
        }
        return CoreMLModelSpec(specificationVersion: model.pointee.specificationversion, description: description,
                               body: .mlProgram(try self.program(program)))
    }

    /// The interface and metadata; `lenient` skips features that are not multi-arrays (their
    /// names go to `otherFeatures`) instead of failing.
    func description(_ cDescription: UnsafeMutablePointer<CoreML__Specification__ModelDescription>?, lenient: Bool) throws -> ModelDescription {
        var description = ModelDescription()
        guard let cDescription else { return description }
        func features(_ list: UnsafeMutablePointer<UnsafeMutablePointer<CoreML__Specification__FeatureDescription>?>?, _ count: Int,
                      field: String) throws -> [FeatureDescription] {
            var result: [FeatureDescription] = []
            for item in try messages(list, count, field: field) {
                do {
                    result.append(try feature(item))
                } catch where lenient {
                    description.otherFeatures.append(swiftString(item.pointee.name))
                }
            }
            return result
        }
        description.inputs = try features(cDescription.pointee.input, cDescription.pointee.n_input, field: "description.input")
        description.outputs = try features(cDescription.pointee.output, cDescription.pointee.n_output, field: "description.output")
        description.predictedFeatureName = swiftString(cDescription.pointee.predictedfeaturename)
        description.predictedProbabilitiesName = swiftString(cDescription.pointee.predictedprobabilitiesname)
        if let metadata = cDescription.pointee.metadata {
            description.metadata.shortDescription = swiftString(metadata.pointee.shortdescription)
            description.metadata.versionString = swiftString(metadata.pointee.versionstring)
            description.metadata.author = swiftString(metadata.pointee.author)
            description.metadata.license = swiftString(metadata.pointee.license)
            description.metadata.userDefined = try messages(metadata.pointee.userdefined, metadata.pointee.n_userdefined,
                                                            field: "metadata.userDefined").map {
                (swiftString($0.pointee.key), swiftString($0.pointee.value))
            }
        }
        return description
    }

    /// The string class labels of a NeuralNetwork classifier (ML Programs keep theirs in a classify op).
    func classLabels(_ model: UnsafeMutablePointer<CoreML__Specification__Model>) -> [String] {
        guard model.pointee.type_case == CORE_ML__SPECIFICATION__MODEL__TYPE_NEURAL_NETWORK_CLASSIFIER,
              let classifier = model.pointee.neuralnetworkclassifier,
              classifier.pointee.class_labels_case == CORE_ML__SPECIFICATION__NEURAL_NETWORK_CLASSIFIER__CLASS_LABELS_STRING_CLASS_LABELS,
              let labels = classifier.pointee.stringclasslabels else { return [] }
        return repeated(labels.pointee.vector, labels.pointee.n_vector).map { swiftString($0) }
    }

    private func feature(_ feature: UnsafeMutablePointer<CoreML__Specification__FeatureDescription>) throws -> FeatureDescription {
        let name = swiftString(feature.pointee.name)
        if let type = feature.pointee.type {
            var kind: FeatureDescription.Kind?
            if type.pointee.type_case == CORE_ML__SPECIFICATION__FEATURE_TYPE__TYPE_STRING_TYPE { kind = .string }
            if type.pointee.type_case == CORE_ML__SPECIFICATION__FEATURE_TYPE__TYPE_DICTIONARY_TYPE, let dictionary = type.pointee.dictionarytype,
               dictionary.pointee.key_type_case == CORE_ML__SPECIFICATION__DICTIONARY_FEATURE_TYPE__KEY_TYPE_STRING_KEY_TYPE {
                kind = .stringKeyedDictionary
            }
            if type.pointee.type_case == CORE_ML__SPECIFICATION__FEATURE_TYPE__TYPE_IMAGE_TYPE, let image = type.pointee.imagetype {
                guard let colorSpace = ImageColorSpace(rawValue: Int32(bitPattern: image.pointee.colorspace.rawValue)) else {
                    throw CoreMLReadError.spec(file: file, "image feature '\(name)' has color space \(image.pointee.colorspace.rawValue)")
                }
                var result = FeatureDescription(name: name, shortDescription: swiftString(feature.pointee.shortdescription), dataType: .float32,
                                                shape: [1, colorSpace == .grayscale ? 1 : 3, Int(image.pointee.height), Int(image.pointee.width)])
                result.kind = .image(colorSpace)
                if image.pointee.size_flexibility_case == CORE_ML__SPECIFICATION__IMAGE_FEATURE_TYPE__SIZE_FLEXIBILITY_IMAGE_SIZE_RANGE,
                   let sizes = image.pointee.imagesizerange, let height = sizes.pointee.heightrange, let width = sizes.pointee.widthrange {
                    let bound = { (r: UnsafeMutablePointer<CoreML__Specification__SizeRange>) in
                        ClosedRangeBound(lower: Int(r.pointee.lowerbound), upper: r.pointee.upperbound < 0 ? nil : Int(r.pointee.upperbound))
                    }
                    result.ranges = [ClosedRangeBound(lower: 1, upper: 1), ClosedRangeBound(lower: result.shape[1], upper: result.shape[1]), bound(height), bound(width)]
                }
                return result
            }
            if let kind {
                var result = FeatureDescription(name: name, shortDescription: swiftString(feature.pointee.shortdescription), dataType: .float32, shape: [])
                result.kind = kind
                return result
            }
        }
        guard let type = feature.pointee.type, type.pointee.type_case == CORE_ML__SPECIFICATION__FEATURE_TYPE__TYPE_MULTI_ARRAY_TYPE,
              let array = type.pointee.multiarraytype else {
            throw CoreMLReadError.spec(file: file, "feature '\(name)' is not a multi-array; Ferry reads multi-array features only")
        }
        guard let dataType = ArrayDataType(rawValue: Int32(bitPattern: array.pointee.datatype.rawValue)) else {
            throw CoreMLReadError.spec(file: file, "feature '\(name)' has array data type \(array.pointee.datatype.rawValue)")
        }
        var ranges: [ClosedRangeBound]?
        if array.pointee.shape_flexibility_case == CORE_ML__SPECIFICATION__ARRAY_FEATURE_TYPE__SHAPE_FLEXIBILITY_SHAPE_RANGE,
           let range = array.pointee.shaperange {
            ranges = try messages(range.pointee.sizeranges, range.pointee.n_sizeranges, field: "feature '\(name)' shapeRange").map {
                ClosedRangeBound(lower: Int($0.pointee.lowerbound), upper: $0.pointee.upperbound < 0 ? nil : Int($0.pointee.upperbound))
            }
        }
        return FeatureDescription(name: name, shortDescription: swiftString(feature.pointee.shortdescription), dataType: dataType,
                                  shape: repeated(array.pointee.shape, array.pointee.n_shape).map { Int($0) }, ranges: ranges)
    }
}
