import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes that are all-or-nothing: a temporary file in the same folder, fsync, then rename.
public enum AtomicFile {
    /// Writes `data` to `path` atomically with the given permissions.
    public static func write(_ data: Data, to path: String, permissions: Int = 0o644) throws {
        let url = URL(fileURLWithPath: path)
        let temp = url.deletingLastPathComponent()
            .appendingPathComponent(".\(url.lastPathComponent).tmp-\(UUID().uuidString)").path
        let fd = open(temp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode_t(permissions))
        guard fd >= 0 else { throw BundleError.io(path: path, reason: "cannot create: \(String(cString: strerror(errno)))") }
        var ok = false
        defer {
            if !ok { unlink(temp) }
        }
        do {
            try writeAll(fd: fd, data: data, path: path)
            guard fsync(fd) == 0 else { throw BundleError.io(path: path, reason: "fsync failed") }
        } catch {
            close(fd)
            throw error
        }
        close(fd)
        guard rename(temp, path) == 0 else {
            throw BundleError.io(path: path, reason: "rename failed: \(String(cString: strerror(errno)))")
        }
        ok = true
        syncDirectory(url.deletingLastPathComponent().path)
    }

    static func writeAll(fd: Int32, data: Data, path: String) throws {
        try data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
            var offset = 0
            while offset < raw.count {
                let n = Glibc_write(fd, raw.baseAddress! + offset, raw.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    throw BundleError.io(path: path, reason: "write failed: \(String(cString: strerror(errno)))")
                }
                offset += n
            }
        }
    }

    /// fsyncs a folder so a rename inside it survives a crash.
    public static func syncDirectory(_ path: String) {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if fd >= 0 {
            fsync(fd)
            close(fd)
        }
    }
}

@inline(__always)
func Glibc_write(_ fd: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int {
    #if canImport(Glibc)
    return Glibc.write(fd, buffer, count)
    #else
    return Darwin.write(fd, buffer, count)
    #endif
}
