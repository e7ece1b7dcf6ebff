/// Rules for paths inside a bundle; enforced when bundling and again, before any write, when unbundling.
public enum BundlePath {
    /// The folder name kept for Ferry's own metadata in unpacked bundles; bundles may not carry it.
    public static let reserved = ".ferry"

    /// Throws ``BundleError/unsafePath(path:reason:)`` unless `path` is a plain relative path.
    public static func check(_ path: String) throws {
        let bytes = Array(path.utf8)
        guard (1...1024).contains(bytes.count) else { throw BundleError.unsafePath(path: path, reason: "length must be 1 to 1024 bytes") }
        guard bytes[0] != UInt8(ascii: "/") else { throw BundleError.unsafePath(path: path, reason: "absolute path") }
        guard !bytes.contains(UInt8(ascii: "\\")) else { throw BundleError.unsafePath(path: path, reason: "backslash") }
        guard !bytes.contains(where: { $0 < 0x20 || $0 == 0x7f }) else {
            throw BundleError.unsafePath(path: path, reason: "control character")
        }
        if bytes.count >= 2, bytes[1] == UInt8(ascii: ":") {
            throw BundleError.unsafePath(path: path, reason: "drive-letter path")
        }
        let components = path.split(separator: "/", omittingEmptySubsequences: false)
        for component in components {
            guard !component.isEmpty else { throw BundleError.unsafePath(path: path, reason: "empty path component") }
            guard component != ".", component != ".." else { throw BundleError.unsafePath(path: path, reason: "'.' or '..' component") }
            guard component.utf8.count <= 255 else { throw BundleError.unsafePath(path: path, reason: "component longer than 255 bytes") }
        }
        guard components[0].lowercased() != reserved else {
            throw BundleError.unsafePath(path: path, reason: "'\(reserved)/' is reserved for Ferry's metadata")
        }
    }
}
