import Foundation

/// The uncompressed payload: file contents concatenated in manifest order.
///
/// It is a pure function of the files, so a client can rebuild the payload of the version it has
/// installed and use it as the reference of a zstd patch.
public enum Payload {
    /// Concatenates contents in order.
    public static func concatenate(_ contents: [Data]) -> Data {
        var out = Data(capacity: contents.reduce(0) { $0 + $1.count })
        for item in contents { out.append(item) }
        return out
    }

    /// Splits a payload back into files after checking the whole and every file against the manifest.
    public static func split(_ payload: Data, manifest: Manifest, file: String) throws -> [BundleInput] {
        guard payload.count == manifest.payload.size else {
            throw BundleError.malformed(file: file, reason: "payload is \(payload.count) bytes, manifest says \(manifest.payload.size)")
        }
        guard Digest.sha256Hex(payload) == manifest.payload.sha256 else {
            throw BundleError.hashMismatch(file: file, entry: "payload")
        }
        var out: [BundleInput] = []
        var offset = payload.startIndex
        for entry in manifest.files {
            let bytes = payload.subdata(in: offset..<(offset + entry.size))
            guard Digest.sha256Hex(bytes) == entry.sha256 else { throw BundleError.hashMismatch(file: file, entry: entry.path) }
            out.append(BundleInput(path: entry.path, contents: bytes))
            offset += entry.size
        }
        return out
    }
}
