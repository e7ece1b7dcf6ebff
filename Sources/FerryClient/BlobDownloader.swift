import FerryBundle
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Downloads a content-addressed blob into `NAME.part`, resuming with `Range` + `If-Range` after an
/// interruption, and returns its bytes only once size and SHA-256 match what signed metadata says.
enum BlobDownloader {
    static func fetch(_ url: URL, sha256: String, size: Int, partial: URL, limits: BundleLimits) async throws -> (Data, Int) {
        guard size <= limits.maxBundleSize else {
            throw ClientError.blobMismatch(url: url.absoluteString, reason: "declared size \(size) exceeds the limit of \(limits.maxBundleSize)")
        }
        let fm = FileManager.default
        if !fm.fileExists(atPath: partial.path), !fm.createFile(atPath: partial.path, contents: nil) {
            throw ClientError.cache(path: partial.path, reason: "cannot create download file")
        }
        let have = ((try? fm.attributesOfItem(atPath: partial.path))?[.size] as? Int) ?? 0
        var downloaded = 0
        if have < size {
            var request = URLRequest(url: url)
            request.timeoutInterval = 60
            if have > 0 {
                request.setValue("bytes=\(have)-", forHTTPHeaderField: "Range")
                request.setValue("\"\(sha256)\"", forHTTPHeaderField: "If-Range")
            }
            downloaded = try await Transfer(partial: partial, offset: have, limit: size).run(request)
        }
        guard let data = fm.contents(atPath: partial.path) else {
            throw ClientError.cache(path: partial.path, reason: "cannot read download")
        }
        guard data.count == size, Digest.sha256Hex(data) == sha256 else {
            try? fm.removeItem(at: partial)
            throw ClientError.blobMismatch(url: url.absoluteString, reason: "downloaded \(data.count) bytes do not match the signed size \(size) and SHA-256")
        }
        return (data, downloaded)
    }
}

/// One HTTP transfer appending to a file as bytes arrive, so an interruption keeps what came.
private final class Transfer: NSObject, URLSessionDataDelegate, @unchecked Sendable {
    let partial: URL
    let offset: Int
    let limit: Int
    private let lock = NSLock()
    private var handle: FileHandle?
    private var written = 0
    private var failure: ClientError?
    private var continuation: CheckedContinuation<Int, any Error>?

    init(partial: URL, offset: Int, limit: Int) {
        self.partial = partial
        self.offset = offset
        self.limit = limit
    }

    func run(_ request: URLRequest) async throws -> Int {
        let session = URLSession(configuration: .ephemeral, delegate: self, delegateQueue: nil)
        defer { session.finishTasksAndInvalidate() }
        return try await withCheckedThrowingContinuation { continuation in
            lock.withLock { self.continuation = continuation }
            session.dataTask(with: request).resume()
        }
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
                    completionHandler: @escaping (URLSession.ResponseDisposition) -> Void) {
        let status = (response as? HTTPURLResponse)?.statusCode ?? 0
        let url = response.url?.absoluteString ?? "blob"
        lock.withLock {
            do {
                let handle = try FileHandle(forWritingTo: partial)
                switch status {
                case 200:
                    try handle.truncate(atOffset: 0)
                case 206 where offset > 0:
                    let range = (response as? HTTPURLResponse)?.value(forHTTPHeaderField: "Content-Range") ?? ""
                    guard range.hasPrefix("bytes \(offset)-") else {
                        failure = .blobMismatch(url: url, reason: "server sent range '\(range)' for a resume at \(offset)")
                        break
                    }
                    try handle.seek(toOffset: UInt64(offset))
                default:
                    failure = .http(url: url, status: status, message: HTTPURLResponse.localizedString(forStatusCode: status))
                }
                self.handle = handle
            } catch {
                failure = .cache(path: partial.path, reason: "cannot write download: \(error)")
            }
        }
        completionHandler(lock.withLock { failure == nil } ? .allow : .cancel)
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        let cancel: Bool = lock.withLock {
            guard failure == nil, let handle else { return true }
            let position = (try? handle.offset()) ?? 0
            guard Int(position) + data.count <= limit else {
                failure = .blobMismatch(url: dataTask.originalRequest?.url?.absoluteString ?? "blob", reason: "more bytes than the signed size \(limit)")
                return true
            }
            do { try handle.write(contentsOf: data) } catch {
                failure = .cache(path: partial.path, reason: "write failed: \(error)")
                return true
            }
            written += data.count
            return false
        }
        if cancel { dataTask.cancel() }
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: (any Error)?) {
        let (continuation, result): (CheckedContinuation<Int, any Error>?, Result<Int, any Error>) = lock.withLock {
            try? handle?.synchronize()
            try? handle?.close()
            handle = nil
            let result: Result<Int, any Error>
            if let failure {
                result = .failure(failure)
            } else if let error {
                result = .failure(ClientError.unreachable(url: task.originalRequest?.url?.absoluteString ?? "blob", reason: error.localizedDescription))
            } else {
                result = .success(written)
            }
            let c = self.continuation
            self.continuation = nil
            return (c, result)
        }
        continuation?.resume(with: result)
    }
}
