import Foundation

/// A Core ML model package (`.mlpackage`): `Manifest.json` naming its items by id, the model
/// spec at `Data/com.apple.CoreML/model.mlmodel` and the weight file at
/// `Data/com.apple.CoreML/weights/weight.bin`.
public struct MLPackage: Sendable {
    public static let specPath = "Data/com.apple.CoreML/model.mlmodel"
    public static let weightsPath = "Data/com.apple.CoreML/weights/weight.bin"
    /// Item paths in the manifest are relative to `Data/`.
    static let specItem = "com.apple.CoreML/model.mlmodel"
    static let weightsItem = "com.apple.CoreML/weights"

    public var spec: [UInt8]
    public var weights: [UInt8]?

    public init(spec: [UInt8], weights: [UInt8]?) {
        self.spec = spec
        self.weights = weights
    }

    /// The package's files, paths relative to the package folder, manifest first.
    public func files() -> [(path: String, bytes: [UInt8])] {
        var result: [(path: String, bytes: [UInt8])] = [("Manifest.json", Array(manifest().utf8)), (Self.specPath, spec)]
        if let weights { result.append((Self.weightsPath, weights)) }
        return result
    }

    /// Manifest.json as coremltools' ModelPackage writes it (sorted keys, 4-space indent), with
    /// item ids derived from the item paths so that the same model gives the same bytes.
    func manifest() -> String {
        let specID = Self.itemIdentifier(Self.specItem)
        var items: [(id: String, description: String, name: String, path: String)] = [
            (specID, "CoreML Model Specification", "model.mlmodel", Self.specItem),
        ]
        if weights != nil {
            items.append((Self.itemIdentifier(Self.weightsItem), "CoreML Model Weights", "weights", Self.weightsItem))
        }
        items.sort { $0.id < $1.id }
        let entries = items.map { item in
            """
                    "\(item.id)": {
                        "author": "com.apple.CoreML",
                        "description": "\(item.description)",
                        "name": "\(item.name)",
                        "path": "\(item.path)"
                    }
            """
        }
        return """
            {
                "fileFormatVersion": "1.0.0",
                "itemInfoEntries": {
            \(entries.joined(separator: ",\n"))
                },
                "rootModelIdentifier": "\(specID)"
            }

            """
    }

    /// A UUID-shaped id (version 5 layout) from two FNV-1a hashes of the item path.
    static func itemIdentifier(_ path: String) -> String {
        func fnv(_ seed: UInt64) -> UInt64 {
            var hash: UInt64 = 0xcbf2_9ce4_8422_2325 ^ seed
            for byte in "ferry.coreml:\(path)".utf8 {
                hash ^= UInt64(byte)
                hash = hash &* 0x100_0000_01b3
            }
            return hash
        }
        var bytes: [UInt8] = []
        for value in [fnv(0), fnv(0x9e37_79b9_7f4a_7c15)] {
            for shift in stride(from: 56, through: 0, by: -8) { bytes.append(UInt8(truncatingIfNeeded: value >> UInt64(shift))) }
        }
        bytes[6] = (bytes[6] & 0x0F) | 0x50
        bytes[8] = (bytes[8] & 0x3F) | 0x80
        let hex = bytes.map { String(format: "%02X", $0) }.joined()
        let parts = [hex.prefix(8), hex.dropFirst(8).prefix(4), hex.dropFirst(12).prefix(4), hex.dropFirst(16).prefix(4), hex.dropFirst(20)]
        return parts.joined(separator: "-")
    }
}

extension MLPackage {
    /// Reads a package folder: the manifest's root model item, and the weight file when present.
    public static func read(directory: String) throws -> MLPackage {
        let manifestPath = directory + "/Manifest.json"
        guard let manifestData = FileManager.default.contents(atPath: manifestPath) else {
            throw CoreMLReadError.package(path: manifestPath, "missing or unreadable")
        }
        guard let manifest = try? JSONSerialization.jsonObject(with: manifestData) as? [String: Any],
              let root = manifest["rootModelIdentifier"] as? String,
              let items = manifest["itemInfoEntries"] as? [String: Any],
              let rootItem = items[root] as? [String: Any], let rootPath = rootItem["path"] as? String else {
            throw CoreMLReadError.package(path: manifestPath, "not a package manifest (rootModelIdentifier and its itemInfoEntries entry with a path are needed)")
        }
        guard !rootPath.contains(".."), !rootPath.hasPrefix("/") else {
            throw CoreMLReadError.package(path: manifestPath, "item path '\(rootPath)' leaves the package")
        }
        let specPath = directory + "/Data/" + rootPath
        guard let spec = FileManager.default.contents(atPath: specPath) else {
            throw CoreMLReadError.package(path: specPath, "the manifest's root model file is missing")
        }
        let modelFolder = (specPath as NSString).deletingLastPathComponent
        let weights = FileManager.default.contents(atPath: modelFolder + "/weights/weight.bin").map { [UInt8]($0) }
        return MLPackage(spec: [UInt8](spec), weights: weights)
    }

    /// The spec with its weight constants loaded.
    public func decode(name: String = "model.mlpackage") throws -> CoreMLModelSpec {
        let reader = try weights.map { try BlobStorageReader(bytes: $0, file: name + "/" + Self.weightsPath) }
        return try SpecDecoder(file: name + "/" + Self.specPath, weights: reader).decode(spec)
    }
}
