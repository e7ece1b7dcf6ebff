import CZstd
import FerryBundle
import Foundation

/// One-shot zstd compression with libzstd, and its patch-from mode for deltas.
extension Zstd {
    /// Compresses `data` into one frame that records its content size and a checksum.
    ///
    /// With `reference`, the frame is a patch: it can only be decompressed with the same reference
    /// (zstd `--patch-from`), and long-distance matching finds what the two share.
    public static func compress(_ data: Data, level: Int32, reference: Data? = nil, file: String = "<memory>") throws -> Data {
        guard let cctx = ZSTD_createCCtx() else { throw BundleError.compression(file: file, reason: "out of memory") }
        defer { ZSTD_freeCCtx(cctx) }
        try check(ZSTD_CCtx_setParameter(cctx, ZSTD_c_compressionLevel, level), file)
        try check(ZSTD_CCtx_setParameter(cctx, ZSTD_c_checksumFlag, 1), file)
        try check(ZSTD_CCtx_setParameter(cctx, ZSTD_c_contentSizeFlag, 1), file)
        if let reference {
            try check(ZSTD_CCtx_setParameter(cctx, ZSTD_c_enableLongDistanceMatching, 1), file)
            try check(ZSTD_CCtx_setParameter(cctx, ZSTD_c_windowLog, windowLog(for: max(reference.count, data.count))), file)
        }
        var output = Data(count: ZSTD_compressBound(data.count))
        let written: Int = try output.withUnsafeMutableBytes { out in
            try data.withUnsafeBytes { input in
                try withReference(reference) { refPointer, refCount in
                    if let refPointer {
                        try check(ZSTD_CCtx_refPrefix(cctx, refPointer, refCount), file)
                    }
                    let result = ZSTD_compress2(cctx, out.baseAddress, out.count, input.baseAddress, input.count)
                    try check(result, file)
                    return result
                }
            }
        }
        output.count = written
        return output
    }

    /// The libzstd version in use for compression, for example `1.5.4`.
    public static var libraryVersion: String { String(cString: ZSTD_versionString()) }

    private static func windowLog(for size: Int) -> Int32 {
        var log: Int32 = 10
        while log < 31, (1 << log) < size { log += 1 }
        return max(log, 20)
    }

    private static func withReference<T>(_ reference: Data?, _ body: (UnsafeRawPointer?, Int) throws -> T) throws -> T {
        guard let reference else { return try body(nil, 0) }
        return try reference.withUnsafeBytes { try body($0.baseAddress, $0.count) }
    }

    @discardableResult
    private static func check(_ code: Int, _ file: String) throws -> Int {
        if ZSTD_isError(code) != 0 {
            throw BundleError.compression(file: file, reason: String(cString: ZSTD_getErrorName(code)))
        }
        return code
    }
}
