import Foundation

/// Writes a verified bundle's files into a folder, all or nothing.
public enum Unbundler {
    /// Verifies `bundlePath` with `trustedKeys`, then creates `outDir` holding its files and
    /// `.ferry/manifest.json` + `.ferry/manifest.sig`.
    ///
    /// Every check (signature, every hash, every path) passes before the first byte is written; the
    /// files go to a hidden sibling folder that is renamed to `outDir` at the end. `outDir` must not
    /// exist or be an empty folder.
    @discardableResult
    public static func unbundle(_ bundlePath: String, trustedKeys: [TrustedKey], to outDir: String,
                                limits: BundleLimits = .default) throws -> Manifest {
        let bundle = try VerifiedBundle(contentsOf: bundlePath, trustedKeys: trustedKeys, limits: limits)
        let files = try bundle.files()
        try install(files: files, manifestBytes: bundle.manifestBytes, signature: bundle.signature, to: outDir)
        return bundle.manifest
    }

    /// Installs already verified files into a fresh folder, atomically (temporary sibling + rename).
    public static func install(files: [BundleInput], manifestBytes: Data, signature: Data, to outDir: String) throws {
        let fm = FileManager.default
        let target = URL(fileURLWithPath: outDir).standardizedFileURL
        var isDir: ObjCBool = false
        if fm.fileExists(atPath: target.path, isDirectory: &isDir) {
            let contents = (try? fm.contentsOfDirectory(atPath: target.path)) ?? ["?"]
            guard isDir.boolValue, contents.isEmpty else { throw BundleError.exists(path: outDir) }
        }
        let parent = target.deletingLastPathComponent()
        do { try fm.createDirectory(at: parent, withIntermediateDirectories: true) } catch {
            throw BundleError.io(path: parent.path, reason: "cannot create folder")
        }
        let staging = parent.appendingPathComponent(".\(target.lastPathComponent).partial-\(UUID().uuidString)")
        var done = false
        defer { if !done { try? fm.removeItem(at: staging) } }
        try writeTree(files: files, manifestBytes: manifestBytes, signature: signature, into: staging)
        if fm.fileExists(atPath: target.path) {
            try? fm.removeItem(at: target)  // an empty folder, checked above
        }
        guard rename(staging.path, target.path) == 0 else {
            throw BundleError.io(path: outDir, reason: "rename failed: \(String(cString: strerror(errno)))")
        }
        done = true
        AtomicFile.syncDirectory(parent.path)
    }

    /// Writes files under a new folder `root` (which must not exist), creating subfolders.
    public static func writeTree(files: [BundleInput], manifestBytes: Data, signature: Data, into root: URL) throws {
        let fm = FileManager.default
        do { try fm.createDirectory(at: root, withIntermediateDirectories: false) } catch {
            throw BundleError.io(path: root.path, reason: "cannot create folder")
        }
        for file in files {
            try BundlePath.check(file.path)
            let url = root.appendingPathComponent(file.path)
            do { try fm.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true) } catch {
                throw BundleError.io(path: url.path, reason: "cannot create folder")
            }
            try AtomicFile.write(file.contents, to: url.path)
        }
        let meta = root.appendingPathComponent(BundlePath.reserved)
        do { try fm.createDirectory(at: meta, withIntermediateDirectories: false) } catch {
            throw BundleError.io(path: meta.path, reason: "cannot create folder")
        }
        try AtomicFile.write(manifestBytes, to: meta.appendingPathComponent("manifest.json").path)
        try AtomicFile.write(signature, to: meta.appendingPathComponent("manifest.sig").path)
    }
}
