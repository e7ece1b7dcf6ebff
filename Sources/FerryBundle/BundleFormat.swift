import Foundation

/// The container: a fixed header, the canonical manifest JSON, its Ed25519 signature, then one zstd frame.
///
/// ```
/// offset 0   8 bytes   magic "FERRYBDL"
/// offset 8   u32 LE    container version (1)
/// offset 12  u32 LE    manifest length M (≤ 1 MiB)
/// offset 16  M bytes   manifest (canonical JSON, signed)
/// 16+M       64 bytes  Ed25519 signature of "ferry-bundle-v1\n" + manifest
/// 80+M       …         zstd frame of the payload (its size and SHA-256 are in the manifest)
/// ```
public enum BundleFormat {
    static let magic = Data("FERRYBDL".utf8)
    static let containerVersion: UInt32 = 1
    static let headerSize = 16
    static let signatureSize = 64
    static let signingContext = Data("ferry-bundle-v1\n".utf8)

    /// The bytes a manifest signature covers.
    public static func signedMessage(manifestBytes: Data) -> Data { signingContext + manifestBytes }

    /// Canonical JSON of a manifest: sorted keys, no insignificant whitespace, `/` unescaped.
    public static func encode(_ manifest: Manifest) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        do { return try encoder.encode(manifest) } catch {
            throw BundleError.invalidField(field: "manifest", reason: "cannot encode: \(error)")
        }
    }

    /// Decodes manifest JSON, naming the field that is wrong.
    public static func decodeManifest(_ data: Data, file: String) throws -> Manifest {
        do { return try JSONDecoder().decode(Manifest.self, from: data) } catch let error as DecodingError {
            throw BundleError.malformed(file: file, reason: "manifest: \(describe(error))")
        } catch {
            throw BundleError.malformed(file: file, reason: "manifest: \(error)")
        }
    }

    /// Frames manifest bytes, their signature and a zstd frame into bundle bytes.
    public static func assemble(manifestBytes: Data, signature: Data, frame: Data) -> Data {
        var out = header(manifestLength: manifestBytes.count)
        out.append(manifestBytes)
        out.append(signature)
        out.append(frame)
        return out
    }

    static func header(manifestLength: Int) -> Data {
        var data = magic
        withUnsafeBytes(of: containerVersion.littleEndian) { data.append(contentsOf: $0) }
        withUnsafeBytes(of: UInt32(manifestLength).littleEndian) { data.append(contentsOf: $0) }
        return data
    }

    static func readUInt32(_ data: Data, at offset: Int) -> UInt32 {
        var value: UInt32 = 0
        for i in 0..<4 { value |= UInt32(data[data.startIndex + offset + i]) << (8 * UInt32(i)) }
        return value
    }

    static func describe(_ error: DecodingError) -> String {
        func path(_ context: DecodingError.Context) -> String {
            let text = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
            return text.isEmpty ? "top level" : String(text.drop(while: { $0 == "." }))
        }
        switch error {
        case .keyNotFound(let key, let context): return "missing field '\(path(context)).\(key.stringValue)'"
        case .typeMismatch(_, let context), .valueNotFound(_, let context): return "field '\(path(context))': \(context.debugDescription)"
        case .dataCorrupted(let context): return "\(path(context)): \(context.debugDescription)"
        @unknown default: return "\(error)"
        }
    }
}
