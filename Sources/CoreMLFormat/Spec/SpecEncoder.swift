import CCoreML
import FerryIR

/// Serializes a `CoreMLModelSpec` through protobuf-c (Model.proto), moving large constants of an
/// ML Program into a weight blob file as `BlobFileValue` references, as coremltools does.
public struct SpecEncoder {
    /// Where `BlobFileValue`s point: the package's weight file, relative to the model.
    public static let weightFileName = "@model_path/weights/weight.bin"
    /// Constants with at least this many elements go to the weight file (coremltools: 10).
    public var blobThreshold = 10

    public init() {}

    /// The packed model spec and the weight file (nil when nothing went to it).
    public func encode(_ spec: CoreMLModelSpec) -> (model: [UInt8], weights: [UInt8]?) {
        let arena = CArena()
        var blobs = BlobStorageWriter()
        let model: UnsafeMutablePointer<CoreML__Specification__Model> = arena.message(core_ml__specification__model__init)
        model.pointee.specificationversion = spec.specificationVersion
        model.pointee.description = description(spec.description, arena)
        switch spec.body {
        case .mlProgram(let program):
            model.pointee.type_case = CORE_ML__SPECIFICATION__MODEL__TYPE_ML_PROGRAM
            model.pointee.mlprogram = self.program(program, arena, &blobs)
        }
        var bytes = [UInt8](repeating: 0, count: core_ml__specification__model__get_packed_size(model))
        let written = bytes.withUnsafeMutableBufferPointer { core_ml__specification__model__pack(model, $0.baseAddress) }
        precondition(written == bytes.count, "protobuf-c packed \(written) of \(bytes.count) bytes")
        return (bytes, blobs.count > 0 ? blobs.bytes : nil)
    }

    func description(_ description: ModelDescription, _ arena: CArena) -> UnsafeMutablePointer<CoreML__Specification__ModelDescription> {
        let result: UnsafeMutablePointer<CoreML__Specification__ModelDescription> = arena.message(core_ml__specification__model_description__init)
        let inputs = description.inputs.map { feature($0, arena) as UnsafeMutablePointer<CoreML__Specification__FeatureDescription>? }
        let outputs = description.outputs.map { feature($0, arena) as UnsafeMutablePointer<CoreML__Specification__FeatureDescription>? }
        result.pointee.n_input = inputs.count
        result.pointee.input = arena.array(inputs)
        result.pointee.n_output = outputs.count
        result.pointee.output = arena.array(outputs)
        result.pointee.predictedfeaturename = arena.string(description.predictedFeatureName)
        result.pointee.predictedprobabilitiesname = arena.string(description.predictedProbabilitiesName)
        let metadata: UnsafeMutablePointer<CoreML__Specification__Metadata> = arena.message(core_ml__specification__metadata__init)
        metadata.pointee.shortdescription = arena.string(description.metadata.shortDescription)
        metadata.pointee.versionstring = arena.string(description.metadata.versionString)
        metadata.pointee.author = arena.string(description.metadata.author)
        metadata.pointee.license = arena.string(description.metadata.license)
        let entries = description.metadata.userDefined.map { pair -> UnsafeMutablePointer<CoreML__Specification__Metadata__UserDefinedEntry>? in
            let entry: UnsafeMutablePointer<CoreML__Specification__Metadata__UserDefinedEntry> = arena.message(core_ml__specification__metadata__user_defined_entry__init)
            entry.pointee.key = arena.string(pair.key)
            entry.pointee.value = arena.string(pair.value)
            return entry
        }
        metadata.pointee.n_userdefined = entries.count
        metadata.pointee.userdefined = arena.array(entries)
        result.pointee.metadata = metadata
        return result
    }

    func feature(_ feature: FeatureDescription, _ arena: CArena) -> UnsafeMutablePointer<CoreML__Specification__FeatureDescription> {
        let result: UnsafeMutablePointer<CoreML__Specification__FeatureDescription> = arena.message(core_ml__specification__feature_description__init)
        result.pointee.name = arena.string(feature.name)
        result.pointee.shortdescription = arena.string(feature.shortDescription)
        let type: UnsafeMutablePointer<CoreML__Specification__FeatureType> = arena.message(core_ml__specification__feature_type__init)
        result.pointee.type = type
        switch feature.kind {
        case .multiArray:
            break
        case .string:
            type.pointee.type_case = CORE_ML__SPECIFICATION__FEATURE_TYPE__TYPE_STRING_TYPE
            type.pointee.stringtype = arena.message(core_ml__specification__string_feature_type__init)
            return result
        case .stringKeyedDictionary:
            let dictionary: UnsafeMutablePointer<CoreML__Specification__DictionaryFeatureType> =
                arena.message(core_ml__specification__dictionary_feature_type__init)
            dictionary.pointee.key_type_case = CORE_ML__SPECIFICATION__DICTIONARY_FEATURE_TYPE__KEY_TYPE_STRING_KEY_TYPE
            dictionary.pointee.stringkeytype = arena.message(core_ml__specification__string_feature_type__init)
            type.pointee.type_case = CORE_ML__SPECIFICATION__FEATURE_TYPE__TYPE_DICTIONARY_TYPE
            type.pointee.dictionarytype = dictionary
            return result
        case .image(let colorSpace):
            let image: UnsafeMutablePointer<CoreML__Specification__ImageFeatureType> = arena.message(core_ml__specification__image_feature_type__init)
            image.pointee.width = Int64(feature.shape[3])
            image.pointee.height = Int64(feature.shape[2])
            image.pointee.colorspace = CoreML__Specification__ImageFeatureType__ColorSpace(rawValue: UInt32(colorSpace.rawValue))
            if let ranges = feature.ranges, ranges.count == 4 {
                // A dynamic H or W: the size range coremltools writes for a RangeDim image size.
                let sizes = arena.message(core_ml__specification__image_feature_type__image_size_range__init) as UnsafeMutablePointer<CoreML__Specification__ImageFeatureType__ImageSizeRange>
                sizes.pointee.heightrange = sizeRange(ranges[2], arena)
                sizes.pointee.widthrange = sizeRange(ranges[3], arena)
                image.pointee.size_flexibility_case = CORE_ML__SPECIFICATION__IMAGE_FEATURE_TYPE__SIZE_FLEXIBILITY_IMAGE_SIZE_RANGE
                image.pointee.imagesizerange = sizes
            }
            type.pointee.type_case = CORE_ML__SPECIFICATION__FEATURE_TYPE__TYPE_IMAGE_TYPE
            type.pointee.imagetype = image
            return result
        }
        let array: UnsafeMutablePointer<CoreML__Specification__ArrayFeatureType> = arena.message(core_ml__specification__array_feature_type__init)
        array.pointee.datatype = CoreML__Specification__ArrayFeatureType__ArrayDataType(rawValue: UInt32(feature.dataType.rawValue))
        array.pointee.n_shape = feature.shape.count
        array.pointee.shape = arena.array(feature.shape.map { Int64($0) })
        if let ranges = feature.ranges {
            let shapeRange: UnsafeMutablePointer<CoreML__Specification__ArrayFeatureType__ShapeRange> = arena.message(core_ml__specification__array_feature_type__shape_range__init)
            let sizes = ranges.map { range -> UnsafeMutablePointer<CoreML__Specification__SizeRange>? in sizeRange(range, arena) }
            shapeRange.pointee.n_sizeranges = sizes.count
            shapeRange.pointee.sizeranges = arena.array(sizes)
            array.pointee.shape_flexibility_case = CORE_ML__SPECIFICATION__ARRAY_FEATURE_TYPE__SHAPE_FLEXIBILITY_SHAPE_RANGE
            array.pointee.shaperange = shapeRange
        }
        type.pointee.type_case = CORE_ML__SPECIFICATION__FEATURE_TYPE__TYPE_MULTI_ARRAY_TYPE
        type.pointee.multiarraytype = array
        return result
    }

    /// A `SizeRange` (upper bound -1: unbounded).
    func sizeRange(_ range: ClosedRangeBound, _ arena: CArena) -> UnsafeMutablePointer<CoreML__Specification__SizeRange> {
        let size: UnsafeMutablePointer<CoreML__Specification__SizeRange> = arena.message(core_ml__specification__size_range__init)
        size.pointee.lowerbound = UInt64(range.lower)
        size.pointee.upperbound = Int64(range.upper ?? -1)
        return size
    }
}
