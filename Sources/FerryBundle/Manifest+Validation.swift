import Foundation

extension Manifest {
    /// Checks every field a reader relies on; throws ``BundleError`` naming the field.
    public func validate(limits: BundleLimits = .default) throws {
        guard format == Self.currentFormat else {
            throw BundleError.invalidField(field: "format", reason: "unsupported format '\(format)'")
        }
        try Self.checkName(name, field: "name")
        guard SemanticVersion(version) != nil else {
            throw BundleError.invalidField(field: "version", reason: "'\(version)' is not a semantic version (MAJOR.MINOR.PATCH)")
        }
        try Self.checkToken(runtime, field: "runtime")
        try Self.checkToken(platform, field: "platform")
        if let minRuntimeVersion {
            guard !minRuntimeVersion.isEmpty, minRuntimeVersion.utf8.count <= 64 else {
                throw BundleError.invalidField(field: "minRuntimeVersion", reason: "must be 1 to 64 characters")
            }
        }
        if let sourceModelSHA256, !Digest.isSHA256Hex(sourceModelSHA256) {
            throw BundleError.invalidField(field: "sourceModelSHA256", reason: "must be 64 lower-case hex digits")
        }
        guard !files.isEmpty else { throw BundleError.invalidField(field: "files", reason: "a bundle carries at least one file") }
        guard files.count <= limits.maxFiles else {
            throw BundleError.invalidField(field: "files", reason: "\(files.count) files exceed the limit of \(limits.maxFiles)")
        }
        var total = 0
        var seen = Set<String>()
        var previous: String?
        for (index, file) in files.enumerated() {
            try BundlePath.check(file.path)
            if let previous, !(Array(previous.utf8).lexicographicallyPrecedes(Array(file.path.utf8))) {
                throw BundleError.invalidField(field: "files[\(index)].path", reason: "files must be sorted by path without duplicates")
            }
            // Case-insensitive file systems (macOS, iOS, Windows) would merge these.
            guard seen.insert(file.path.lowercased()).inserted else {
                throw BundleError.unsafePath(path: file.path, reason: "differs from another path only by case")
            }
            guard file.size >= 0 else { throw BundleError.invalidField(field: "files[\(index)].size", reason: "negative") }
            guard Digest.isSHA256Hex(file.sha256) else {
                throw BundleError.invalidField(field: "files[\(index)].sha256", reason: "must be 64 lower-case hex digits")
            }
            let (sum, overflow) = total.addingReportingOverflow(file.size)
            guard !overflow else { throw BundleError.invalidField(field: "files", reason: "sizes overflow") }
            total = sum
            previous = file.path
        }
        guard total == payload.size else {
            throw BundleError.invalidField(field: "payload.size", reason: "\(payload.size) is not the sum of the file sizes (\(total))")
        }
        guard payload.size <= limits.maxUncompressedSize else {
            throw BundleError.tooLarge(file: name, what: "declared uncompressed size \(payload.size)", limit: limits.maxUncompressedSize)
        }
        guard payload.compressedSize > 0, Digest.isSHA256Hex(payload.sha256), Digest.isSHA256Hex(payload.compressedSHA256) else {
            throw BundleError.invalidField(field: "payload", reason: "sizes and SHA-256 digests are required")
        }
        guard keyID.utf8.count == 16, keyID.utf8.allSatisfy({ (48...57).contains($0) || (97...102).contains($0) }) else {
            throw BundleError.invalidField(field: "keyID", reason: "must be 16 lower-case hex digits")
        }
        for (index, spec) in (io.inputs + io.outputs).enumerated() {
            guard !spec.name.isEmpty, spec.name.utf8.count <= 256 else {
                throw BundleError.invalidField(field: "io[\(index)].name", reason: "must be 1 to 256 characters")
            }
            guard spec.shape.allSatisfy({ $0 >= -1 }) else {
                throw BundleError.invalidField(field: "io.\(spec.name).shape", reason: "dimensions are -1 (dynamic) or non-negative")
            }
        }
    }

    /// Model names: `[a-z0-9][a-z0-9._-]{0,63}`, safe in URLs, paths and case-insensitive file systems.
    public static func checkName(_ value: String, field: String) throws {
        let bytes = Array(value.utf8)
        guard (1...64).contains(bytes.count), isLowerAlnum(bytes[0]),
              bytes.allSatisfy({ isLowerAlnum($0) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: "-") })
        else {
            throw BundleError.invalidField(field: field, reason: "'\(value.prefix(80))' must match [a-z0-9][a-z0-9._-]{0,63}")
        }
    }

    /// Runtime, platform and channel names: `[A-Za-z0-9][A-Za-z0-9._-]{0,63}`.
    public static func checkToken(_ value: String, field: String) throws {
        let bytes = Array(value.utf8)
        guard (1...64).contains(bytes.count), isAlnum(bytes[0]),
              bytes.allSatisfy({ isAlnum($0) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: "-") })
        else {
            throw BundleError.invalidField(field: field, reason: "'\(value.prefix(80))' must match [A-Za-z0-9][A-Za-z0-9._-]{0,63}")
        }
    }

    private static func isLowerAlnum(_ c: UInt8) -> Bool { (48...57).contains(c) || (97...122).contains(c) }
    private static func isAlnum(_ c: UInt8) -> Bool { isLowerAlnum(c) || (65...90).contains(c) }
}
