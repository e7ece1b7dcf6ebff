import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A real `ferry serve` process (the binary in `FERRY_BIN`), for crash tests: start, kill -9, restart.
public final class ServerProcess: @unchecked Sendable {
    public let binary: String
    public let dataDirectory: URL
    public let trustedKeyPath: String
    public private(set) var port: Int
    private var process: Process?
    public var base: String { "http://127.0.0.1:\(port)" }

    /// The binary from `FERRY_BIN`, or nil when it is not set.
    public static var binaryPath: String? { ProcessInfo.processInfo.environment["FERRY_BIN"] }

    public init(binary: String, dataDirectory: URL, trustedKeyPath: String) {
        self.binary = binary
        self.dataDirectory = dataDirectory
        self.trustedKeyPath = trustedKeyPath
        self.port = 0
    }

    /// A server left running by a failed test is killed with its owner.
    deinit { kill9() }

    /// Starts the server (on the previous port after a restart) and waits until it listens.
    public func start() throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["serve", "--data", dataDirectory.path, "--port", String(port), "--trusted-key", trustedKeyPath,
                             "--max-bundle-mib", "256"]
        // Logs go to a file (a pipe nobody drains could block the server).
        let logURL = dataDirectory.deletingLastPathComponent().appendingPathComponent("serve-\(UUID().uuidString).log")
        guard FileManager.default.createFile(atPath: logURL.path, contents: nil) else { throw ProcessError.didNotStart(output: "cannot create \(logURL.path)") }
        let log = try FileHandle(forWritingTo: logURL)
        process.standardError = log
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        try log.close()
        self.process = process
        var text = ""
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline, process.isRunning {
            text = (try? String(contentsOf: logURL, encoding: .utf8)) ?? ""
            if let range = text.range(of: "url=http://127.0.0.1:") {
                let digits = text[range.upperBound...].prefix { $0.isNumber }
                if let bound = Int(digits), text[range.upperBound...].dropFirst(digits.count).first == " " {
                    port = bound
                    return
                }
            }
            Thread.sleep(forTimeInterval: 0.05)
        }
        process.terminate()
        throw ProcessError.didNotStart(output: text)
    }

    /// SIGKILL, no chance to clean up; waits until the process is gone.
    public func kill9() {
        guard let process else { return }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        self.process = nil
    }

    /// SIGTERM and wait (graceful stop).
    public func stop() {
        guard let process else { return }
        process.terminate()
        process.waitUntilExit()
        self.process = nil
    }

    /// Runs the binary with `arguments` and returns its standard output.
    public func run(_ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw ProcessError.failed(arguments: arguments, status: process.terminationStatus) }
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    public enum ProcessError: Error {
        case didNotStart(output: String)
        case failed(arguments: [String], status: Int32)
    }
}

/// A bare TCP client for loopback tests that must stop half-way through a request or a response.
public final class RawConnection {
    let fd: Int32

    public init(port: Int) throws {
        #if canImport(Glibc)
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
        fd = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard fd >= 0, result == 0 else { throw URLError(.cannotConnectToHost) }
    }

    deinit { close(fd) }

    public func send(_ data: Data) {
        data.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let n = Glibc_send(fd, raw.baseAddress! + offset, raw.count - offset)
                if n <= 0 { return }
                offset += n
            }
        }
    }

    /// Reads until `count` bytes or the connection closes.
    public func receive(upTo count: Int) -> Data {
        var out = Data()
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while out.count < count {
            let n = recv(fd, &buffer, min(buffer.count, count - out.count), 0)
            if n <= 0 { break }
            out.append(contentsOf: buffer[0..<n])
        }
        return out
    }
}

private func Glibc_send(_ fd: Int32, _ pointer: UnsafeRawPointer, _ count: Int) -> Int {
    #if canImport(Glibc)
    return Glibc.send(fd, pointer, count, Int32(MSG_NOSIGNAL))
    #else
    return Darwin.send(fd, pointer, count, 0)
    #endif
}
