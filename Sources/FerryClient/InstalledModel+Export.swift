import FerryBundle
import Foundation

extension InstalledModel {
    /// Copies the verified files into `folder` (for `ferry pull`): each file is written to a temporary
    /// name and renamed over the old one, files of the previously exported version that the new one
    /// lacks are removed, and `folder/.ferry/manifest.json` is written last.
    public func export(to folder: URL) throws {
        let fm = FileManager.default
        let meta = folder.appendingPathComponent(BundlePath.reserved)
        do { try fm.createDirectory(at: meta, withIntermediateDirectories: true) } catch {
            throw ClientError.cache(path: folder.path, reason: "cannot create folder")
        }
        let oldManifest = fm.contents(atPath: meta.appendingPathComponent("manifest.json").path)
            .flatMap { try? JSONDecoder().decode(Manifest.self, from: $0) }
        for entry in manifest.files {
            try BundlePath.check(entry.path)
            let source = directory.appendingPathComponent(entry.path)
            let target = folder.appendingPathComponent(entry.path)
            guard let data = fm.contents(atPath: source.path), Digest.sha256Hex(data) == entry.sha256 else {
                throw ClientError.cache(path: source.path, reason: "installed file does not match its signed hash")
            }
            do { try fm.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true) } catch {
                throw ClientError.cache(path: target.path, reason: "cannot create folder")
            }
            try AtomicFile.write(data, to: target.path)
        }
        let keep = Set(manifest.files.map(\.path))
        for old in oldManifest?.files ?? [] where !keep.contains(old.path) {
            if (try? BundlePath.check(old.path)) != nil { try? fm.removeItem(at: folder.appendingPathComponent(old.path)) }
        }
        let metaSource = directory.appendingPathComponent(BundlePath.reserved)
        for name in ["manifest.sig", "manifest.json"] {
            guard let data = fm.contents(atPath: metaSource.appendingPathComponent(name).path) else {
                throw ClientError.cache(path: metaSource.path, reason: "\(name) missing")
            }
            try AtomicFile.write(data, to: meta.appendingPathComponent(name).path)
        }
    }
}
