/// Field slots and enum values of ONNX Runtime's ORT format schema
/// (onnxruntime/core/flatbuffers/schema/ort.fbs), one namespace per table, for the writer and
/// the reader alike.
enum ORTSchema {
    /// The file identifier after the root offset.
    static let fileIdentifier = "ORTM"

    enum InferenceSession { static let ortVersion = 0, model = 1, kernelTypeStrResolver = 3, fieldCount = 4 }
    enum Model {
        static let irVersion = 0, opsetImport = 1, producerName = 2, producerVersion = 3, domain = 4
        static let modelVersion = 5, docString = 6, graph = 7, graphDocString = 8, metadataProps = 9, fieldCount = 10
    }
    enum OperatorSetId { static let domain = 0, version = 1, fieldCount = 2 }
    enum StringStringEntry { static let key = 0, value = 1, fieldCount = 2 }
    enum Graph {
        static let initializers = 0, nodeArgs = 1, nodes = 2, maxNodeIndex = 3, nodeEdges = 4
        static let inputs = 5, outputs = 6, fieldCount = 9
    }
    enum Node {
        static let name = 0, docString = 1, domain = 2, sinceVersion = 3, index = 4, opType = 5
        static let type = 6, executionProviderType = 7, inputs = 8, outputs = 9, attributes = 10
        static let inputArgCounts = 11, implicitInputs = 12, fieldCount = 13
    }
    enum NodeEdge { static let nodeIndex = 0, inputEdges = 1, outputEdges = 2, fieldCount = 3 }
    /// struct EdgeEnd { node_index: uint32; src_arg_index: int32; dst_arg_index: int32 }
    static let edgeEndSize = 12
    enum ValueInfo { static let name = 0, docString = 1, type = 2, fieldCount = 3 }
    enum TypeInfo {
        static let denotation = 0, valueType = 1, value = 2, fieldCount = 3
        /// TypeInfoValue union tag of tensor_type.
        static let tensorType: UInt8 = 1
    }
    enum TensorTypeAndShape { static let elemType = 0, shape = 1, fieldCount = 2 }
    enum Shape { static let dim = 0, fieldCount = 1 }
    enum Dimension { static let value = 0, denotation = 1, fieldCount = 2 }
    enum DimensionValue {
        static let dimType = 0, dimValue = 1, dimParam = 2, fieldCount = 3
        static let unknown: Int8 = 0, value: Int8 = 1, param: Int8 = 2
    }
    enum Tensor {
        static let name = 0, docString = 1, dims = 2, dataType = 3, rawData = 4, stringData = 5
        static let externalDataOffset = 6, fieldCount = 7
    }
    enum Attribute {
        static let name = 0, docString = 1, type = 2, f = 3, i = 4, s = 5, t = 6, g = 7
        static let floats = 8, ints = 9, strings = 10, tensors = 11, graphs = 12, fieldCount = 13
    }
    /// AttributeType values (as ONNX's AttributeProto.AttributeType).
    enum AttributeType {
        static let float: Int32 = 1, int: Int32 = 2, string: Int32 = 3, tensor: Int32 = 4, graph: Int32 = 5
        static let floats: Int32 = 6, ints: Int32 = 7, strings: Int32 = 8, tensors: Int32 = 9, graphs: Int32 = 10
    }
    enum KernelTypeStrResolver { static let opKernelTypeStrArgs = 0, fieldCount = 1 }
    enum OpIdKernelTypeStrArgsEntry { static let opId = 0, kernelTypeStrArgs = 1, fieldCount = 2 }
    enum KernelTypeStrArgsEntry { static let kernelTypeStr = 0, args = 1, fieldCount = 2 }
    enum ArgTypeAndIndex {
        static let argType = 0, index = 1, fieldCount = 2
        static let input: Int8 = 0, output: Int8 = 1
    }
    /// The largest TensorDataType the schema defines (FLOAT8E5M2FNUZ): 4-bit and narrower
    /// types have no ORT format encoding.
    static let largestDataType: Int32 = 20
}
