import CONNX
import FerryIR

#if _endian(big)
#error("ONNXWriter writes tensor storage as raw_data, which ONNX defines as little-endian")
#endif

/// Writes Ferry's IR as ONNX `ModelProto` files.
///
/// Output is deterministic: the same model gives the same bytes (opsets sorted by domain,
/// metadata by key, attributes and value_info by name, initializers in `initializerOrder`).
/// The file records Ferry as its producer.
public enum ONNXWriter {
    public static let producerName = "ferry"
    /// Ferry's version, recorded as `producer_version`; keep in step with the CLI's `--version`.
    public static let producerVersion = "0.1.0"
    /// The largest message protobuf allows (2 GiB − 1); bigger models need external data.
    public static let protobufLimit = Int(Int32.max)
    /// The threshold used when a model has to go external because it is too large inline:
    /// tensors of at least 1 KiB, as onnx's `convert_model_to_external_data` does.
    public static let automaticExternalThreshold = 1024

    /// The model as ONNX bytes with every tensor inline.
    public static func serialize(_ model: Model) throws -> [UInt8] {
        let path = "<memory>"
        let arena = ProtoArena()
        return try withExtendedLifetime(model) {
            let proto = try ProtoBuilder(path: path, arena: arena, external: nil).model(model)
            let size = onnx__model_proto__get_packed_size(proto)
            guard size <= protobufLimit else { throw ONNXError.tooLarge(file: path, bytes: size, limit: protobufLimit) }
            var bytes = [UInt8](repeating: 0, count: size)
            let written = bytes.withUnsafeMutableBufferPointer { onnx__model_proto__pack(proto, $0.baseAddress) }
            precondition(written == size, "protobuf-c packed \(written) bytes of \(size)")
            return bytes
        }
    }

    /// Writes `model` to `path` atomically: into a temporary file in the same folder that is
    /// renamed over `path` only once complete, so an error never leaves a half-written model.
    ///
    /// Initializers of at least `externalDataThreshold` bytes go into one data file beside the
    /// model (`model.onnx` → `model.data`), each at a 4 KiB-aligned offset. Without a threshold,
    /// tensors stay inline unless the message would exceed `protobufLimit`, in which case
    /// initializers of 1 KiB or more go external automatically.
    public static func write(_ model: Model, to path: String, externalDataThreshold: Int? = nil,
                             protobufLimit: Int = ONNXWriter.protobufLimit) throws {
        try stage(model, to: path, externalDataThreshold: externalDataThreshold, protobufLimit: protobufLimit).commit()
    }

    /// A model written beside its destination under temporary names and synced, not yet in
    /// place: `commit()` renames the files over `path` (and its external data file); dropped
    /// without a commit, they are removed. A caller can write while other work decides
    /// whether the model should appear at all.
    public final class Staged {
        private let files: [AtomicFile]
        fileprivate init(files: [AtomicFile]) { self.files = files }

        /// The external data first, so that a model in place always finds its data.
        public func commit() throws {
            for file in files { try file.commit() }
        }
    }

    /// Writes `model` as `write` does, short of renaming it into place (see `Staged`).
    public static func stage(_ model: Model, to path: String, externalDataThreshold: Int? = nil,
                             protobufLimit: Int = ONNXWriter.protobufLimit) throws -> Staged {
        if let externalDataThreshold, externalDataThreshold < 0 {
            throw ONNXError.cannotWrite(file: path, reason: "external data threshold \(externalDataThreshold) is negative")
        }
        let location = dataFileName(for: path)
        return try withExtendedLifetime(model) {
            var arena = ProtoArena()
            var layout = externalDataThreshold.map { ExternalDataLayout(location: location, threshold: $0) }
            var proto = try ProtoBuilder(path: path, arena: arena, external: layout).model(model)
            var size = onnx__model_proto__get_packed_size(proto)
            if size > protobufLimit && externalDataThreshold == nil {
                arena = ProtoArena()
                layout = ExternalDataLayout(location: location, threshold: automaticExternalThreshold)
                proto = try ProtoBuilder(path: path, arena: arena, external: layout).model(model)
                size = onnx__model_proto__get_packed_size(proto)
            }
            guard size <= protobufLimit else { throw ONNXError.tooLarge(file: path, bytes: size, limit: protobufLimit) }

            var dataFile: AtomicFile? = nil
            if let layout, !layout.segments.isEmpty {
                let dataPath = folder(of: path) + "/" + location
                let file = try AtomicFile(path: dataPath)
                for segment in layout.segments {
                    try file.pad(to: segment.offset)
                    try file.append(segment.bytes)
                }
                try file.finish()
                dataFile = file
            }
            let modelFile = try AtomicFile(path: path)
            try modelFile.stream { buffer in _ = onnx__model_proto__pack_to_buffer(proto, buffer) }
            guard modelFile.written == size else {
                throw ONNXError.cannotWrite(file: path, reason: "protobuf-c produced \(modelFile.written) bytes of \(size)")
            }
            try modelFile.finish()
            withExtendedLifetime(arena) {}
            return Staged(files: [dataFile, modelFile].compactMap { $0 })
        }
    }

    /// The external data file's name for a model at `path`: its file name with `.onnx`
    /// replaced by `.data` (or `.data` appended).
    static func dataFileName(for path: String) -> String {
        let name = path.split(separator: "/").last.map(String.init) ?? path
        return (name.hasSuffix(".onnx") ? String(name.dropLast(5)) : name) + ".data"
    }

    static func folder(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }
}
