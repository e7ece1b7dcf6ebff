import FerryBundle
import Foundation
import Hummingbird
import NIOCore

extension SyncServer {
    /// Downloads: strong ETags (the SHA-256), `If-None-Match`, single `Range` requests with
    /// `If-Range`, and immutable cache headers.
    static func addBlobRoutes(_ router: Router<BasicRequestContext>, _ service: SyncService) {
        let fileIO = FileIO()
        @Sendable func serve(_ request: Request, _ context: BasicRequestContext, head: Bool) async throws -> Response {
            let digest = context.parameters.get("sha256") ?? ""
            guard Digest.isSHA256Hex(digest) else {
                throw SyncError.badRequest("blob name must be 64 lower-case hex digits (a SHA-256)")
            }
            let path = service.blobs.path(for: digest)
            // A blob in memory is served without touching the file system (blobs are immutable).
            let cached = service.blobCache.cached(digest)
            guard let size = cached?.readableBytes ?? (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int else {
                throw SyncError.notFound("no blob \(digest)")
            }
            func inMemory() async throws -> ByteBuffer? {
                if let cached { return cached }
                return try await service.blobCache.buffer(digest, path: path, size: size)
            }
            let etag = "\"\(digest)\""
            var headers = HTTPFields()
            headers[.eTag] = etag
            headers[.cacheControl] = "public, max-age=31536000, immutable"
            headers[.acceptRanges] = "bytes"
            if let match = request.headers[.ifNoneMatch],
               match.split(separator: ",").contains(where: { $0.trimmingCharacters(in: .whitespaces) == etag || $0.trimmingCharacters(in: .whitespaces) == "*" }) {
                return Response(status: .notModified, headers: headers)
            }
            headers[.contentType] = "application/octet-stream"
            var range = ByteRange.parse(request.headers[.range], size: size)
            if let ifRange = request.headers[.ifRange], ifRange != etag { range = .full }
            switch range {
            case .unsatisfiable:
                headers[.contentRange] = "bytes */\(size)"
                throw SyncError(.rangeNotSatisfiable, "range '\(request.headers[.range] ?? "")' is outside the blob's \(size) bytes")
            case .full:
                headers[.contentLength] = String(size)
                if head || size == 0 { return Response(status: .ok, headers: headers) }
                if let buffer = try await inMemory() {
                    return Response(status: .ok, headers: headers, body: .init(byteBuffer: buffer))
                }
                let body = try await fileIO.loadFile(path: path, context: context, chunkLength: 256 * 1024)
                return Response(status: .ok, headers: headers, body: body)
            case .partial(let bytes):
                headers[.contentLength] = String(bytes.count)
                headers[.contentRange] = "bytes \(bytes.lowerBound)-\(bytes.upperBound)/\(size)"
                if head { return Response(status: .partialContent, headers: headers) }
                if let buffer = try await inMemory(),
                   let slice = buffer.getSlice(at: bytes.lowerBound, length: bytes.count) {
                    return Response(status: .partialContent, headers: headers, body: .init(byteBuffer: slice))
                }
                let body = try await fileIO.loadFile(path: path, range: bytes, context: context, chunkLength: 256 * 1024)
                return Response(status: .partialContent, headers: headers, body: body)
            }
        }
        router.get("/v1/blobs/{sha256}") { request, context in try await serve(request, context, head: false) }
        router.head("/v1/blobs/{sha256}") { request, context in try await serve(request, context, head: true) }
    }
}
