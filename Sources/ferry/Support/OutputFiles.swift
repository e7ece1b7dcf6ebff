import FerryConvert
import Foundation

/// Writes a target's files into `folder`. A top-level file is written atomically on its own; a
/// top-level directory (`model.mlpackage/…`) is built complete in a temporary sibling and renamed
/// into place, so a reader sees the old directory or the new one, never a mix.
func writeTargetFiles(_ files: [TargetFile], into folder: URL) throws {
    var directories: [String: [TargetFile]] = [:]
    var order: [String] = []
    for file in files {
        let parts = file.path.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard !file.path.hasPrefix("/"), !parts.contains(".."), !parts.contains(""), !parts.contains(".") else {
            throw CLIError("target writer produced an unsafe path '\(file.path)'")
        }
        if parts.count == 1 {
            try writeAtomically(Data(file.bytes), to: folder.appendingPathComponent(file.path))
        } else {
            if directories[parts[0]] == nil { order.append(parts[0]) }
            directories[parts[0], default: []].append(TargetFile(path: parts.dropFirst().joined(separator: "/"), bytes: file.bytes))
        }
    }
    let manager = FileManager.default
    for name in order {
        let final = folder.appendingPathComponent(name)
        let staging = folder.appendingPathComponent(".\(name).\(getpid()).tmp")
        try? manager.removeItem(at: staging)
        do {
            for file in directories[name]! {
                let url = staging.appendingPathComponent(file.path)
                try manager.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                try Data(file.bytes).write(to: url)
            }
            let previous = folder.appendingPathComponent(".\(name).\(getpid()).old")
            let hadPrevious = manager.fileExists(atPath: final.path)
            if hadPrevious, rename(final.path, previous.path) != 0 {
                throw CLIError("cannot replace \(final.path): \(String(cString: strerror(errno)))")
            }
            if rename(staging.path, final.path) != 0 {
                let reason = String(cString: strerror(errno))
                if hadPrevious { _ = rename(previous.path, final.path) }
                throw CLIError("cannot write \(final.path): \(reason)")
            }
            if hadPrevious { try? manager.removeItem(at: previous) }
        } catch {
            try? manager.removeItem(at: staging)
            throw error
        }
    }
}
