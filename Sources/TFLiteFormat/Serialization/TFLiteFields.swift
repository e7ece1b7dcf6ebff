/// Field slots (vtable indices) of the schema.fbs tables this library reads and writes.
/// A slot is a field's position in its table declaration; unions take two (type, then value).
public enum TFLiteFields {
    public enum Model { public static let version = 0, operatorCodes = 1, subgraphs = 2, description = 3, buffers = 4,
                 metadataBuffer = 5, metadata = 6, signatureDefs = 7, count = 8 }
    public enum SubGraph { public static let tensors = 0, inputs = 1, outputs = 2, operators = 3, name = 4, count = 5 }
    public enum Tensor { public static let shape = 0, type = 1, buffer = 2, name = 3, quantization = 4, isVariable = 5,
                  sparsity = 6, shapeSignature = 7, hasRank = 8, count = 9 }
    public enum Quantization { public static let min = 0, max = 1, scale = 2, zeroPoint = 3, detailsType = 4, details = 5,
                        quantizedDimension = 6, count = 7 }
    public enum Buffer { public static let data = 0, offset = 1, size = 2, count = 3 }
    public enum OperatorCode { public static let deprecatedBuiltinCode = 0, customCode = 1, version = 2, builtinCode = 3, count = 4 }
    public enum Operator { public static let opcodeIndex = 0, inputs = 1, outputs = 2, builtinOptionsType = 3, builtinOptions = 4,
                    customOptions = 5, customOptionsFormat = 6, mutatingVariableInputs = 7, intermediates = 8,
                    count = 9 }
    public enum Metadata { public static let name = 0, buffer = 1, count = 2 }
    public enum TensorMap { public static let name = 0, tensorIndex = 1, count = 2 }
    public enum SignatureDef { public static let inputs = 0, outputs = 1, signatureKey = 2, deprecatedTag = 3,
                        subgraphIndex = 4, count = 5 }
}
