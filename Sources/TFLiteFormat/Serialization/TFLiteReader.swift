/// Why bytes could not be read as a TFLite model; `field` is a path such as
/// `subgraphs[0].tensors[3].shape`.
public enum TFLiteReadError: Error, Sendable, CustomStringConvertible {
    case notTFLite(identifier: String?)
    case malformed(field: String, cause: FlatBufferError)
    case invalid(field: String, message: String)

    public var description: String {
        switch self {
        case .notTFLite(let identifier):
            return "not a TFLite flatbuffer (file identifier \(identifier.map { "'\($0)'" } ?? "missing"), expected 'TFL3')"
        case .malformed(let field, let cause): return "\(field): \(cause)"
        case .invalid(let field, let message): return "\(field): \(message)"
        }
    }

    /// The same error with `prefix.` in front of its field path.
    func nested(in prefix: String) -> TFLiteReadError {
        switch self {
        case .notTFLite: return self
        case .malformed(let field, let cause): return .malformed(field: prefix + "." + field, cause: cause)
        case .invalid(let field, let message): return .invalid(field: prefix + "." + field, message: message)
        }
    }
}

/// Parses flatbuffer bytes into a `TFLiteModel`, checking every offset and cross-reference
/// (buffer, tensor and opcode indices) so that later stages can index without checks.
public enum TFLiteReader {
    /// Whether `bytes` carry the TFLite file identifier.
    public static func isTFLite(_ bytes: [UInt8]) -> Bool {
        bytes.count >= 8 && Array(bytes[4..<8]) == Array("TFL3".utf8)
    }

    public static func read(_ bytes: [UInt8]) throws -> TFLiteModel {
        let reader = FlatBufferReader(bytes: bytes)
        guard isTFLite(bytes) else { throw TFLiteReadError.notTFLite(identifier: bytes.count >= 8 ? reader.fileIdentifier : nil) }
        typealias F = TFLiteFields.Model
        let root = try field("model") { try reader.rootTable() }
        var model = TFLiteModel()
        model.version = try field("version") { try root.scalar(F.version, default: UInt32(0)) }
        model.description = try field("description") { try root.string(F.description) ?? "" }
        model.buffers = try list("buffers", root, F.buffers) { table in
            typealias B = TFLiteFields.Buffer
            let offset: UInt64 = try table.scalar(B.offset, default: 0)
            guard offset <= 1 else {
                throw TFLiteReadError.invalid(field: "offset", message: "data stored outside the flatbuffer is not supported")
            }
            return TFLiteBuffer(data: Array(try table.vector(B.data, elementSize: 1)?.bytes ?? []))
        }
        if model.buffers.isEmpty { model.buffers = [TFLiteBuffer()] }
        model.operatorCodes = try list("operator_codes", root, F.operatorCodes) { table in
            typealias O = TFLiteFields.OperatorCode
            let narrow: Int8 = try table.scalar(O.deprecatedBuiltinCode, default: 0)
            let wide: Int32 = try table.scalar(O.builtinCode, default: 0)
            // Files from before the wide field carry only the narrow one; wide wins when larger.
            let code = max(Int32(narrow), wide)
            return TFLiteOperatorCode(builtin: TFLiteBuiltinOperator(rawValue: code),
                                      customCode: try table.string(O.customCode),
                                      version: try table.scalar(O.version, default: 1))
        }
        model.subgraphs = try list("subgraphs", root, F.subgraphs) { try readSubgraph($0, model: model) }
        model.metadata = try list("metadata", root, F.metadata) { table in
            let buffer: UInt32 = try table.scalar(TFLiteFields.Metadata.buffer, default: 0)
            guard Int(buffer) < model.buffers.count else {
                throw TFLiteReadError.invalid(field: "buffer", message: "buffer \(buffer) of \(model.buffers.count)")
            }
            return TFLiteMetadata(name: try table.string(TFLiteFields.Metadata.name) ?? "", buffer: buffer)
        }
        model.signatureDefs = try list("signature_defs", root, F.signatureDefs) { table in
            typealias S = TFLiteFields.SignatureDef
            let subgraph: UInt32 = try table.scalar(S.subgraphIndex, default: 0)
            guard Int(subgraph) < model.subgraphs.count else {
                throw TFLiteReadError.invalid(field: "subgraph_index", message: "subgraph \(subgraph) of \(model.subgraphs.count)")
            }
            let tensorCount = model.subgraphs[Int(subgraph)].tensors.count
            func maps(_ name: String, _ slot: Int) throws -> [TFLiteSignatureDef.TensorMap] {
                try list(name, table, slot) { entry in
                    let index: UInt32 = try entry.scalar(TFLiteFields.TensorMap.tensorIndex, default: 0)
                    guard Int(index) < tensorCount else {
                        throw TFLiteReadError.invalid(field: "tensor_index", message: "tensor \(index) of \(tensorCount)")
                    }
                    return .init(name: try entry.string(TFLiteFields.TensorMap.name) ?? "", tensorIndex: index)
                }
            }
            return TFLiteSignatureDef(inputs: try maps("inputs", S.inputs), outputs: try maps("outputs", S.outputs),
                                      signatureKey: try table.string(S.signatureKey) ?? "", subgraphIndex: subgraph)
        }
        return model
    }

    private static func readSubgraph(_ table: FlatBufferTable, model: TFLiteModel) throws -> TFLiteSubgraph {
        typealias S = TFLiteFields.SubGraph
        var subgraph = TFLiteSubgraph()
        subgraph.name = try field("name") { try table.string(S.name) ?? "" }
        subgraph.tensors = try list("tensors", table, S.tensors) { try readTensor($0, bufferCount: model.buffers.count) }
        let count = subgraph.tensors.count
        func indices(_ name: String, _ values: [Int32], optional: Bool) throws -> [Int32] {
            for (i, value) in values.enumerated() where !(optional && value == -1) && !(0..<Int32(count)).contains(value) {
                throw TFLiteReadError.invalid(field: "\(name)[\(i)]", message: "tensor \(value) of \(count)")
            }
            return values
        }
        subgraph.inputs = try indices("inputs", try field("inputs") { try table.scalars(S.inputs, as: Int32.self) }, optional: false)
        subgraph.outputs = try indices("outputs", try field("outputs") { try table.scalars(S.outputs, as: Int32.self) }, optional: false)
        subgraph.operators = try list("operators", table, S.operators) { op in
            typealias O = TFLiteFields.Operator
            let opcode: UInt32 = try op.scalar(O.opcodeIndex, default: 0)
            guard Int(opcode) < model.operatorCodes.count else {
                throw TFLiteReadError.invalid(field: "opcode_index", message: "opcode \(opcode) of \(model.operatorCodes.count)")
            }
            let type: UInt8 = try op.scalar(O.builtinOptionsType, default: 0)
            return TFLiteOperator(
                opcodeIndex: opcode,
                inputs: try indices("inputs", try op.scalars(O.inputs, as: Int32.self), optional: true),
                outputs: try indices("outputs", try op.scalars(O.outputs, as: Int32.self), optional: false),
                options: try field("builtin_options") { try readOptions(type: type, table: try op.table(O.builtinOptions)) },
                intermediates: try indices("intermediates", try op.scalars(O.intermediates, as: Int32.self), optional: false))
        }
        return subgraph
    }

    private static func readTensor(_ table: FlatBufferTable, bufferCount: Int) throws -> TFLiteTensor {
        typealias T = TFLiteFields.Tensor
        let rawType: Int8 = try table.scalar(T.type, default: 0)
        guard let type = TFLiteTensorType(rawValue: rawType) else {
            throw TFLiteReadError.invalid(field: "type", message: "unknown tensor type \(rawType)")
        }
        let buffer: UInt32 = try table.scalar(T.buffer, default: 0)
        guard Int(buffer) < bufferCount else {
            throw TFLiteReadError.invalid(field: "buffer", message: "buffer \(buffer) of \(bufferCount)")
        }
        let shape = try field("shape") { try table.scalars(T.shape, as: Int32.self) }
        let signature = try field("shape_signature") { try table.vector(T.shapeSignature, elementSize: 4)?.scalars(as: Int32.self) }
        if let dim = shape.first(where: { $0 < 0 }) {
            throw TFLiteReadError.invalid(field: "shape", message: "negative dimension \(dim)")
        }
        if try table.has(T.sparsity) {
            throw TFLiteReadError.invalid(field: "sparsity", message: "sparse tensors are not supported")
        }
        let quantization = try field("quantization") { () -> TFLiteQuantization? in
            guard let q = try table.table(T.quantization) else { return nil }
            typealias Q = TFLiteFields.Quantization
            return TFLiteQuantization(min: try q.floats(Q.min), max: try q.floats(Q.max), scale: try q.floats(Q.scale),
                                      zeroPoint: try q.scalars(Q.zeroPoint, as: Int64.self),
                                      quantizedDimension: try q.scalar(Q.quantizedDimension, default: 0))
        }
        return TFLiteTensor(shape: shape, shapeSignature: signature, type: type, buffer: buffer,
                            name: try field("name") { try table.string(T.name) ?? "" },
                            quantization: quantization, isVariable: try table.bool(T.isVariable, default: false),
                            hasRank: try table.bool(T.hasRank, default: false))
    }

    /// Runs `body`, naming `name` in any error it throws.
    static func field<T>(_ name: String, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as FlatBufferError {
            throw TFLiteReadError.malformed(field: name, cause: error)
        } catch let error as TFLiteReadError {
            throw error.nested(in: name)
        }
    }

    /// Reads the vector of tables at `slot`, each through `body`, naming `name[i]` in errors.
    static func list<T>(_ name: String, _ table: FlatBufferTable, _ slot: Int, _ body: (FlatBufferTable) throws -> T) throws -> [T] {
        let tables = try field(name) { try table.tables(slot) }
        return try tables.enumerated().map { index, element in try field("\(name)[\(index)]") { try body(element) } }
    }
}
