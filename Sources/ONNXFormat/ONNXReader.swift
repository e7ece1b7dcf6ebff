import CONNX
import FerryIR
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads ONNX models and `TensorProto` files into Ferry's IR.
public enum ONNXReader {
    /// Oldest default-domain opset Ferry reads.
    public static let minimumOpset = 7

    /// Reads the model at `path`. Weights stored in the file are read from a memory map and the
    /// map's pages dropped as they are copied, so resident memory stays near one model size;
    /// external data files are resolved relative to the model's folder.
    public static func loadModel(path: String) throws -> Model {
        try loadModel(file: try MappedFile(path: path))
    }

    /// Reads a model from bytes in memory (what `ONNXWriter.serialize` made); `name` stands for
    /// the file in errors. External data is not resolved.
    public static func loadModel(bytes: [UInt8], name: String) throws -> Model {
        try loadModel(file: MappedFile(copying: bytes, path: name))
    }

    private static func loadModel(file: MappedFile) throws -> Model {
        let path = file.path
        guard file.count > 0 else { throw ONNXError.notONNX(file: path, reason: "the file is empty") }
        let stripped: WireFormat.Stripped
        do {
            stripped = try WireFormat.stripInitializerData(file.bytes)
        } catch WireFormat.Failure.truncated(let offset) {
            throw ONNXError.notONNX(file: path, reason: "protobuf message truncated or corrupt near byte \(offset) of \(file.count)")
        } catch WireFormat.Failure.badWireType(let type, let offset) {
            throw ONNXError.notONNX(file: path, reason: "invalid protobuf wire type \(type) at byte \(offset)")
        }
        let message = stripped.message.withUnsafeBufferPointer { buffer in
            onnx__model_proto__unpack(nil, buffer.count, buffer.baseAddress)
        }
        guard let message else {
            throw ONNXError.notONNX(file: path, reason: "protobuf-c could not parse a ModelProto (truncated or corrupt)")
        }
        defer { onnx__model_proto__free_unpacked(message, nil) }
        let context = ReadContext(path: path, file: file, rawData: stripped.rawData)
        return try context.model(message.pointee)
    }

    /// Reads a serialized `TensorProto` (the ONNX test-data `.pb` format) and returns its name and value.
    public static func loadTensor(path: String) throws -> (name: String, tensor: Tensor) {
        let file = try MappedFile(path: path)
        let proto = onnx__tensor_proto__unpack(nil, file.count, file.base.assumingMemoryBound(to: UInt8.self))
        guard let proto else {
            throw ONNXError.notONNX(file: path, reason: "protobuf-c could not parse a TensorProto")
        }
        defer { onnx__tensor_proto__free_unpacked(proto, nil) }
        let context = ReadContext(path: path, file: nil, rawData: [])
        let tensor = try context.tensor(proto.pointee, rawRange: nil)
        return (string(proto.pointee.name), tensor)
    }
}

func string(_ pointer: UnsafeMutablePointer<CChar>?) -> String {
    guard let pointer else { return "" }
    return String(cString: pointer)
}

func string(_ data: ProtobufCBinaryData) -> String {
    guard data.len > 0, let bytes = data.data else { return "" }
    return String(decoding: UnsafeBufferPointer(start: bytes, count: data.len), as: UTF8.self)
}

/// Collects a protobuf-c repeated message field (`n_xxx`, `xxx`) into an array of structs.
func repeated<T>(_ count: Int, _ items: UnsafeMutablePointer<UnsafeMutablePointer<T>?>?) -> [T] {
    guard count > 0, let items else { return [] }
    return (0..<count).compactMap { items[$0]?.pointee }
}

/// Collects a protobuf-c repeated scalar field into an array.
func repeatedScalars<T>(_ count: Int, _ items: UnsafeMutablePointer<T>?) -> [T] {
    guard count > 0, let items else { return [] }
    return Array(UnsafeBufferPointer(start: items, count: count))
}
