#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A read-only memory map of a whole file. Pages are read on first touch and can be dropped
/// again with `release(_:)`, so that reading a large model does not keep two copies resident.
final class MappedFile {
    let path: String
    let base: UnsafeRawPointer
    let count: Int
    /// A copy of bytes already in memory (not a map): nothing to release, freed on deinit.
    private let inMemory: Bool

    /// Holds a copy of `bytes` as if it were a file at `path` (for reading back what a writer
    /// produced in memory).
    init(copying bytes: [UInt8], path: String) {
        self.path = path
        inMemory = true
        count = bytes.count
        let storage = UnsafeMutableRawPointer.allocate(byteCount: max(bytes.count, 1), alignment: 16)
        bytes.withUnsafeBytes { if $0.count > 0 { storage.copyMemory(from: $0.baseAddress!, byteCount: $0.count) } }
        base = UnsafeRawPointer(storage)
    }

    init(path: String) throws {
        self.path = path
        inMemory = false
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw ONNXError.cannotOpen(file: path, reason: String(cString: strerror(errno))) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            throw ONNXError.cannotOpen(file: path, reason: String(cString: strerror(errno)))
        }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            throw ONNXError.cannotOpen(file: path, reason: "not a regular file")
        }
        count = Int(info.st_size)
        if count == 0 {
            base = UnsafeRawPointer(UnsafeMutableRawPointer.allocate(byteCount: 1, alignment: 1))
            return
        }
        guard let mapped = mmap(nil, count, PROT_READ, MAP_PRIVATE, fd, 0), mapped != MAP_FAILED else {
            throw ONNXError.cannotOpen(file: path, reason: String(cString: strerror(errno)))
        }
        base = UnsafeRawPointer(mapped)
    }

    var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base, count: count) }

    /// Copies `range` of the file to `destination` in 8 MiB pieces, dropping each piece's pages
    /// once copied, so that even one huge tensor is never resident twice.
    func copy(_ range: Range<Int>, to destination: UnsafeMutableRawPointer) {
        let piece = 8 << 20
        var offset = range.lowerBound
        while offset < range.upperBound {
            let end = min(offset + piece, range.upperBound)
            (destination + (offset - range.lowerBound)).copyMemory(from: base + offset, byteCount: end - offset)
            release(offset..<end)
            offset = end
        }
    }

    /// Tells the kernel the given range is no longer needed, so its pages leave the resident set.
    func release(_ range: Range<Int>) {
        guard !inMemory else { return }
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        // Whole pages only, but a piece's last partial page goes with the piece: a following
        // piece of the same tensor re-reads it from the page cache if it needs it.
        let start = range.lowerBound / page * page
        let end = min((range.upperBound + page - 1) / page * page, count)
        guard end > start, count > 0 else { return }
        _ = madvise(UnsafeMutableRawPointer(mutating: base + start), end - start, Int32(MADV_DONTNEED))
    }

    deinit {
        if count == 0 || inMemory {
            UnsafeMutableRawPointer(mutating: base).deallocate()
        } else {
            munmap(UnsafeMutableRawPointer(mutating: base), count)
        }
    }
}
