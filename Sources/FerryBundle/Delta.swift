import Foundation

/// Binary deltas between two payloads with zstd's patch-from mode.
///
/// A delta turns the uncompressed payload of the version a device has into the payload of the
/// version it should have. It is not signed itself: the result is checked against the new signed
/// manifest's payload and file hashes.
public enum Delta {
    /// Level for patches. Long-distance matching finds what two versions share at any level; on
    /// a 2 MB fine-tune, levels 3, 9 and 19 gave the same 80 KB patch, level 19 taking 14× longer.
    public static let defaultLevel: Int32 = 3

    /// A zstd frame that rebuilds `new` from `old`.
    public static func make(from old: Data, to new: Data, level: Int32 = defaultLevel) throws -> Data {
        try Zstd.compress(new, level: level, reference: old, file: "delta")
    }

    /// Rebuilds the new payload; `expectedSize` comes from the new signed manifest.
    public static func apply(_ patch: Data, to old: Data, expectedSize: Int, file: String = "delta") throws -> Data {
        try Zstd.decompress(patch, expectedSize: expectedSize, reference: old, file: file)
    }

    /// Rebuilds, then checks the whole payload and each file against `manifest`.
    public static func apply(_ patch: Data, to old: Data, manifest: Manifest, file: String = "delta") throws -> [BundleInput] {
        let payload = try apply(patch, to: old, expectedSize: manifest.payload.size, file: file)
        return try Payload.split(payload, manifest: manifest, file: file)
    }
}
