import Foundation
import ZstdDecoder

/// Bounded zstd decompression, including zstd's patch-from frames for deltas.
///
/// Decoding is pure Swift (``ZstdDecoder``), so everything that reads bundles builds where there
/// is no libzstd (iOS). Compression lives in FerryBundleWriter, which links libzstd.
public enum Zstd {
    /// Decompresses one frame that must hold exactly `expectedSize` bytes; anything else is refused
    /// before memory is committed (the decompression-bomb guard).
    ///
    /// With `reference`, the frame is a patch made against it (zstd `--patch-from`).
    public static func decompress(_ frame: Data, expectedSize: Int, reference: Data? = nil, file: String = "<memory>") throws -> Data {
        do {
            return try ZstdDecoder.decompress(frame, expectedSize: expectedSize, prefix: reference)
        } catch let error as ZstdError {
            throw BundleError.compression(file: file, reason: error.description)
        }
    }
}
