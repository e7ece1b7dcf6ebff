import CONNX
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A file written under a temporary name in its final folder and renamed into place by
/// `commit()`; dropped without a commit, the temporary file is removed. Small appends are
/// buffered; the first I/O error is kept and thrown.
final class AtomicFile {
    let path: String
    private let temporaryPath: String
    private var descriptor: Int32
    private var buffer: [UInt8] = []
    private var failure: ONNXError?
    private var committed = false
    private(set) var written = 0
    private static let bufferSize = 1 << 16

    init(path: String) throws {
        self.path = path
        let name = path.split(separator: "/").last.map(String.init) ?? path
        var template = Array((ONNXWriter.folder(of: path) + "/." + name + ".tmp-XXXXXX").utf8CString)
        descriptor = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard descriptor >= 0 else { throw ONNXError.cannotWrite(file: path, reason: String(cString: strerror(errno))) }
        temporaryPath = String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
        // mkstemp creates the file private (0600); a model is an ordinary readable file.
        fchmod(descriptor, 0o644)
        buffer.reserveCapacity(Self.bufferSize)
    }

    deinit {
        if descriptor >= 0 { close(descriptor) }
        if !committed { unlink(temporaryPath) }
    }

    func append(_ bytes: UnsafeRawBufferPointer) throws {
        guard failure == nil, bytes.count > 0 else { try check(); return }
        if buffer.count + bytes.count <= Self.bufferSize {
            buffer.append(contentsOf: bytes.bindMemory(to: UInt8.self))
        } else {
            flush()
            writeAll(bytes)
        }
        written += bytes.count
        try check()
    }

    /// Appends zero bytes up to `offset`.
    func pad(to offset: Int) throws {
        precondition(offset >= written, "padding backwards")
        let zeros = [UInt8](repeating: 0, count: offset - written)
        try zeros.withUnsafeBytes { try append($0) }
    }

    /// Lets protobuf-c pack straight into this file through a `ProtobufCBuffer` whose append
    /// function finds this object behind the C struct.
    func stream(_ body: (UnsafeMutablePointer<ProtobufCBuffer>) -> Void) throws {
        let headerSize = MemoryLayout<ProtobufCBuffer>.stride
        let raw = UnsafeMutableRawPointer.allocate(byteCount: headerSize + MemoryLayout<UnsafeRawPointer>.size,
                                                   alignment: MemoryLayout<UnsafeRawPointer>.alignment)
        defer { raw.deallocate() }
        let header = raw.bindMemory(to: ProtobufCBuffer.self, capacity: 1)
        header.initialize(to: ProtobufCBuffer(append: { buffer, length, data in
            guard let buffer, let data else { return }
            let context = UnsafeRawPointer(buffer).load(fromByteOffset: MemoryLayout<ProtobufCBuffer>.stride, as: UnsafeRawPointer.self)
            let file = Unmanaged<AtomicFile>.fromOpaque(context).takeUnretainedValue()
            try? file.append(UnsafeRawBufferPointer(start: data, count: length))
        }))
        (raw + headerSize).storeBytes(of: UnsafeRawPointer(Unmanaged.passUnretained(self).toOpaque()), as: UnsafeRawPointer.self)
        withExtendedLifetime(self) { body(header) }
        try check()
    }

    /// Flushes and syncs the temporary file; after this only `commit()` remains.
    func finish() throws {
        flush()
        try check()
        if fsync(descriptor) != 0 { throw ONNXError.cannotWrite(file: path, reason: String(cString: strerror(errno))) }
        if close(descriptor) != 0 {
            descriptor = -1
            throw ONNXError.cannotWrite(file: path, reason: String(cString: strerror(errno)))
        }
        descriptor = -1
    }

    /// Renames the finished temporary file over `path`.
    func commit() throws {
        precondition(descriptor < 0, "commit before finish")
        guard rename(temporaryPath, path) == 0 else {
            throw ONNXError.cannotWrite(file: path, reason: String(cString: strerror(errno)))
        }
        committed = true
    }

    private func check() throws {
        if let failure { throw failure }
    }

    private func flush() {
        guard !buffer.isEmpty else { return }
        buffer.withUnsafeBytes { writeAll($0) }
        buffer.removeAll(keepingCapacity: true)
    }

    private func writeAll(_ bytes: UnsafeRawBufferPointer) {
        guard failure == nil, var pointer = bytes.baseAddress else { return }
        var remaining = bytes.count
        while remaining > 0 {
            let result = write(descriptor, pointer, remaining)
            if result < 0 {
                if errno == EINTR { continue }
                failure = .cannotWrite(file: path, reason: String(cString: strerror(errno)))
                return
            }
            pointer += result
            remaining -= result
        }
    }
}
