import Crypto
import FerryBundle
import Foundation
import NIOCore

/// Content-addressed, immutable blobs: `blobs/sha256/ab/abcdef…`. A blob appears under its name
/// only after it is complete and fsynced (temporary file + rename), so any CDN or shared volume
/// can serve the folder as it is.
public struct BlobStore: Sendable {
    public let root: URL
    var temporary: URL { root.appendingPathComponent("tmp") }

    /// Opens the store under `root`, creating folders and removing temporary files a crash left:
    /// all of them when this instance owns the folder, else those older than an hour (another
    /// instance sharing the folder may be uploading).
    public init(root: URL, exclusive: Bool = true) throws {
        self.root = root
        let fm = FileManager.default
        do {
            try fm.createDirectory(at: root.appendingPathComponent("sha256"), withIntermediateDirectories: true)
            try fm.createDirectory(at: root.appendingPathComponent("tmp"), withIntermediateDirectories: true)
        } catch {
            throw BundleError.io(path: root.path, reason: "cannot create blob folders")
        }
        let temporary = root.appendingPathComponent("tmp")
        for name in (try? fm.contentsOfDirectory(atPath: temporary.path)) ?? [] {
            let url = temporary.appendingPathComponent(name)
            let modified = (try? fm.attributesOfItem(atPath: url.path))?[.modificationDate] as? Date ?? .distantPast
            if exclusive || modified < Date().addingTimeInterval(-3600) { try? fm.removeItem(at: url) }
        }
    }

    /// Where the blob named `sha256` lives.
    public func path(for sha256: String) -> String {
        root.appendingPathComponent("sha256").appendingPathComponent(String(sha256.prefix(2))).appendingPathComponent(sha256).path
    }

    /// True when the blob exists.
    public func contains(_ sha256: String) -> Bool { FileManager.default.fileExists(atPath: path(for: sha256)) }

    /// A new temporary file for an upload in progress.
    func temporaryFile() -> URL { temporary.appendingPathComponent(UUID().uuidString) }

    /// Moves a complete, fsynced temporary file into place under its digest.
    func commit(temporaryFile: URL, sha256: String) throws {
        let target = path(for: sha256)
        let folder = URL(fileURLWithPath: target).deletingLastPathComponent()
        do { try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true) } catch {
            throw BundleError.io(path: folder.path, reason: "cannot create folder")
        }
        if contains(sha256) {
            try? FileManager.default.removeItem(at: temporaryFile)  // same bytes already stored
            return
        }
        guard rename(temporaryFile.path, target) == 0 else {
            throw BundleError.io(path: target, reason: "rename failed: \(String(cString: strerror(errno)))")
        }
        AtomicFile.syncDirectory(folder.path)
    }

    /// Stores bytes already in memory (deltas) and returns their digest.
    func put(_ data: Data) throws -> String {
        let sha = Digest.sha256Hex(data)
        if contains(sha) { return sha }
        let temp = temporaryFile()
        try AtomicFile.write(data, to: temp.path)
        try commit(temporaryFile: temp, sha256: sha)
        return sha
    }

    /// Reads a whole blob, checking its digest.
    func read(_ sha256: String) throws -> Data {
        let path = path(for: sha256)
        guard let data = FileManager.default.contents(atPath: path), Digest.sha256Hex(data) == sha256 else {
            throw BundleError.io(path: path, reason: "blob missing or damaged")
        }
        return data
    }
}

/// Streams an upload to a temporary file, hashing it and enforcing a size limit as it goes.
struct UploadSink {
    let handle: FileHandle
    let url: URL
    var hasher = SHA256()
    var size = 0
    let limit: Int

    init(url: URL, limit: Int) throws {
        guard FileManager.default.createFile(atPath: url.path, contents: nil), let handle = FileHandle(forWritingAtPath: url.path) else {
            throw BundleError.io(path: url.path, reason: "cannot create upload file")
        }
        self.handle = handle
        self.url = url
        self.limit = limit
    }

    mutating func append(_ buffer: ByteBuffer) throws {
        size += buffer.readableBytes
        guard size <= limit else { throw SyncError(.contentTooLarge, "bundle exceeds the upload limit of \(limit) bytes") }
        let data = Data(buffer: buffer, byteTransferStrategy: .noCopy)
        hasher.update(data: data)
        try handle.write(contentsOf: data)
    }

    /// fsyncs and closes; returns the digest.
    mutating func finish() throws -> String {
        try handle.synchronize()
        try handle.close()
        return hasher.finalize().map { String(format: "%02x", $0) }.joined()
    }
}
