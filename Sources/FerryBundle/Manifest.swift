/// The signed description of a bundle: what model it carries, for which runtime, and the hash of every byte.
///
/// Encoded as canonical JSON (sorted keys, no whitespace) so the same inputs give the same bytes.
public struct Manifest: Codable, Equatable, Sendable {
    /// The format tag, always ``Manifest/currentFormat`` for bundles this library writes.
    public var format: String
    /// Model name: lower-case letters, digits, `.`, `_`, `-`; 1 to 64 characters.
    public var name: String
    /// Semantic version of this model build.
    public var version: String
    /// Target runtime (for example `tflite`, `coreml`, `onnx`, `ncnn`, `tflm`).
    public var runtime: String
    /// Oldest runtime version that can run the model, if known.
    public var minRuntimeVersion: String?
    /// Target platform (for example `android`, `ios`, `linux`, `any`).
    public var platform: String
    /// Input and output signature.
    public var io: IOSignature
    /// Class labels, in output order.
    public var labels: [String]
    /// Summary of the conversion's drift report.
    public var drift: DriftSummary?
    /// SHA-256 of the source model the bundle was converted from.
    public var sourceModelSHA256: String?
    /// Every file, sorted by path; the payload is their contents concatenated in this order.
    public var files: [FileEntry]
    /// Sizes and hashes of the payload, before and after compression.
    public var payload: PayloadInfo
    /// Version of the Ferry tool that made the bundle.
    public var ferryVersion: String
    /// Identifier of the signing key (first 16 hex digits of the SHA-256 of the public key).
    public var keyID: String

    /// The format tag of version 1 bundles.
    public static let currentFormat = "ferry-bundle/1"

    public init(
        name: String, version: String, runtime: String, minRuntimeVersion: String? = nil, platform: String,
        io: IOSignature = IOSignature(), labels: [String] = [], drift: DriftSummary? = nil,
        sourceModelSHA256: String? = nil, files: [FileEntry], payload: PayloadInfo,
        ferryVersion: String, keyID: String
    ) {
        self.format = Self.currentFormat
        self.name = name
        self.version = version
        self.runtime = runtime
        self.minRuntimeVersion = minRuntimeVersion
        self.platform = platform
        self.io = io
        self.labels = labels
        self.drift = drift
        self.sourceModelSHA256 = sourceModelSHA256
        self.files = files
        self.payload = payload
        self.ferryVersion = ferryVersion
        self.keyID = keyID
    }
}

/// One file carried by a bundle.
public struct FileEntry: Codable, Equatable, Sendable {
    /// Relative path with `/` separators.
    public var path: String
    /// Size in bytes.
    public var size: Int
    /// SHA-256 of the contents.
    public var sha256: String

    public init(path: String, size: Int, sha256: String) {
        self.path = path
        self.size = size
        self.sha256 = sha256
    }
}

/// The payload: every file's bytes concatenated in manifest order, then zstd-compressed.
public struct PayloadInfo: Codable, Equatable, Sendable {
    /// Uncompressed size (the sum of the file sizes).
    public var size: Int
    /// SHA-256 of the uncompressed payload.
    public var sha256: String
    /// Size of the zstd frame in the bundle file.
    public var compressedSize: Int
    /// SHA-256 of the zstd frame, checked before decompression starts.
    public var compressedSHA256: String

    public init(size: Int, sha256: String, compressedSize: Int, compressedSHA256: String) {
        self.size = size
        self.sha256 = sha256
        self.compressedSize = compressedSize
        self.compressedSHA256 = compressedSHA256
    }
}
