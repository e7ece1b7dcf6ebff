import Foundation

/// Binary deltas between two payloads with zstd's patch-from mode.
///
/// A delta turns the uncompressed payload of the version a device has into the payload of the
/// version it should have. It is not signed itself: the result is checked against the new signed
/// manifest's payload and file hashes. Deltas are made by FerryBundleWriter (`Delta.make`).
public enum Delta {
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
