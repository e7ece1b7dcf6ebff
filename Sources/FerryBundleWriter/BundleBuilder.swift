import FerryBundle
import Foundation

/// What `ferry bundle` needs besides the files: the manifest fields a person or a converter supplies.
public struct BundleMetadata: Sendable {
    public var name: String
    public var version: String
    public var runtime: String
    public var minRuntimeVersion: String?
    public var platform: String
    public var io: IOSignature
    public var labels: [String]
    public var drift: DriftSummary?
    public var sourceModelSHA256: String?
    public var ferryVersion: String

    public init(name: String, version: String, runtime: String, minRuntimeVersion: String? = nil, platform: String,
                io: IOSignature = IOSignature(), labels: [String] = [], drift: DriftSummary? = nil,
                sourceModelSHA256: String? = nil, ferryVersion: String) {
        self.name = name
        self.version = version
        self.runtime = runtime
        self.minRuntimeVersion = minRuntimeVersion
        self.platform = platform
        self.io = io
        self.labels = labels
        self.drift = drift
        self.sourceModelSHA256 = sourceModelSHA256
        self.ferryVersion = ferryVersion
    }
}

/// Makes bundles. The same inputs, key and level give byte-identical output.
public enum BundleBuilder {
    /// Default zstd level: a good ratio on weights at a bundling speed people will wait for.
    public static let defaultLevel: Int32 = 12

    /// Builds the bundle bytes.
    public static func build(files: [BundleInput], metadata: BundleMetadata, key: SigningKey,
                             level: Int32 = defaultLevel, limits: BundleLimits = .default) throws -> Data {
        let sorted = files.sorted { Array($0.path.utf8).lexicographicallyPrecedes(Array($1.path.utf8)) }
        let payload = Payload.concatenate(sorted.map(\.contents))
        guard payload.count <= limits.maxUncompressedSize else {
            throw BundleError.tooLarge(file: metadata.name, what: "payload of \(payload.count) bytes", limit: limits.maxUncompressedSize)
        }
        let frame = try Zstd.compress(payload, level: level, file: metadata.name)
        let manifest = Manifest(
            name: metadata.name, version: metadata.version, runtime: metadata.runtime,
            minRuntimeVersion: metadata.minRuntimeVersion, platform: metadata.platform, io: metadata.io,
            labels: metadata.labels, drift: metadata.drift, sourceModelSHA256: metadata.sourceModelSHA256,
            files: sorted.map { FileEntry(path: $0.path, size: $0.contents.count, sha256: Digest.sha256Hex($0.contents)) },
            payload: PayloadInfo(size: payload.count, sha256: Digest.sha256Hex(payload),
                                 compressedSize: frame.count, compressedSHA256: Digest.sha256Hex(frame)),
            ferryVersion: metadata.ferryVersion, keyID: key.publicKey.keyID)
        try manifest.validate(limits: limits)
        let manifestBytes = try BundleFormat.encode(manifest)
        guard manifestBytes.count <= limits.maxManifestSize else {
            throw BundleError.tooLarge(file: metadata.name, what: "manifest", limit: limits.maxManifestSize)
        }
        let signature = try key.sign(BundleFormat.signedMessage(manifestBytes: manifestBytes))
        return BundleFormat.assemble(manifestBytes: manifestBytes, signature: signature, frame: frame)
    }

    /// Collects bundle inputs from files and folders: a folder contributes its regular files under
    /// their relative paths, a file its base name. Links and special files are refused.
    public static func collectInputs(_ paths: [String]) throws -> [BundleInput] {
        var inputs: [BundleInput] = []
        for path in paths {
            let attributes: [FileAttributeKey: Any]
            do { attributes = try FileManager.default.attributesOfItem(atPath: path) } catch {
                throw BundleError.badInput(path: path, reason: "no such file or folder")
            }
            switch attributes[.type] as? FileAttributeType {
            case .typeRegular?:
                inputs.append(BundleInput(path: URL(fileURLWithPath: path).lastPathComponent, contents: try read(path)))
            case .typeDirectory?:
                inputs += try collectFolder(path)
            case .typeSymbolicLink?:
                throw BundleError.badInput(path: path, reason: "symbolic links are not bundled; pass the target file")
            default:
                throw BundleError.badInput(path: path, reason: "not a regular file or folder")
            }
        }
        guard !inputs.isEmpty else { throw BundleError.badInput(path: paths.joined(separator: " "), reason: "no files to bundle") }
        var seen = Set<String>()
        for input in inputs {
            try BundlePath.check(input.path)
            guard seen.insert(input.path.lowercased()).inserted else {
                throw BundleError.badInput(path: input.path, reason: "two inputs map to the same path in the bundle")
            }
        }
        return inputs
    }

    private static func collectFolder(_ root: String) throws -> [BundleInput] {
        var inputs: [BundleInput] = []
        let base = URL(fileURLWithPath: root).standardizedFileURL
        let fm = FileManager.default
        guard let walker = fm.enumerator(atPath: base.path) else {
            throw BundleError.io(path: root, reason: "cannot list folder")
        }
        while let relative = walker.nextObject() as? String {
            let full = base.appendingPathComponent(relative).path
            let type = (try? fm.attributesOfItem(atPath: full))?[.type] as? FileAttributeType
            switch type {
            case .typeRegular?: inputs.append(BundleInput(path: relative, contents: try read(full)))
            case .typeDirectory?: continue
            case .typeSymbolicLink?: throw BundleError.badInput(path: full, reason: "symbolic links are not bundled")
            default: throw BundleError.badInput(path: full, reason: "not a regular file")
            }
        }
        return inputs
    }

    private static func read(_ path: String) throws -> Data {
        do { return try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw BundleError.io(path: path, reason: "cannot read: \(error.localizedDescription)")
        }
    }
}
