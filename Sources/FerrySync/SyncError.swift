import FerryBundle
import FerrySyncProtocol
import Foundation
import Hummingbird

/// Every refusal the service makes, each with its HTTP status and a one-line message naming the
/// field, header or resource. Rendered as `{"error": "…"}`.
public struct SyncError: Error, HTTPResponseError, CustomStringConvertible, Sendable {
    public let status: HTTPResponse.Status
    public let message: String

    public init(_ status: HTTPResponse.Status, _ message: String) {
        self.status = status
        self.message = message
    }

    public var description: String { "\(status.code) \(message)" }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        let body = (try? WireJSON.encode(ErrorBody(error: message))) ?? Data("{}".utf8)
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        headers[.cacheControl] = "no-store"
        if status == .unauthorized { headers[.wwwAuthenticate] = "Bearer realm=\"ferry\"" }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }

    static func badRequest(_ message: String) -> SyncError { SyncError(.badRequest, message) }
    static func notFound(_ message: String) -> SyncError { SyncError(.notFound, message) }
    static func conflict(_ message: String) -> SyncError { SyncError(.conflict, message) }

    /// Maps a bundle verification failure to a status: signatures 422, sizes 413, the rest 400.
    static func from(_ error: BundleError) -> SyncError {
        switch error {
        case .badSignature: return SyncError(.unprocessableContent, error.description)
        case .tooLarge: return SyncError(.contentTooLarge, error.description)
        case .io: return SyncError(.internalServerError, "storage error")
        default: return SyncError(.badRequest, error.description)
        }
    }
}
