import FerryBundle
import FerrySyncProtocol
import Foundation
import Hummingbird
import Logging

/// The HTTP shell over a ``SyncService`` (Hummingbird 2). Routes are listed in ``makeRouter(_:)``.
public enum SyncServer {
    /// The router with every route of the API (see `docs/distribution.md` and `openapi.yaml`).
    public static func makeRouter(_ service: SyncService) -> Router<BasicRequestContext> {
        let router = Router(context: BasicRequestContext.self)
        router.add(middleware: MetricsMiddleware(metrics: service.metrics))
        addOperationsRoutes(router, service)
        addResolveRoutes(router, service)
        addBlobRoutes(router, service)
        addPublishRoutes(router, service)
        return router
    }

    /// Builds the application; `onRunning` receives the bound port (useful with port 0).
    public static func makeApplication(_ service: SyncService, onRunning: @escaping @Sendable (Int) async -> Void = { _ in })
        -> some ApplicationProtocol {
        Application(
            router: makeRouter(service),
            configuration: .init(address: .hostname(service.configuration.host, port: service.configuration.port),
                                 serverName: "ferry"),
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? 0) },
            logger: service.logger)
    }

    /// Runs until SIGINT or SIGTERM, then drains requests and stops.
    public static func run(_ service: SyncService, onRunning: @escaping @Sendable (Int) async -> Void = { _ in }) async throws {
        try await makeApplication(service, onRunning: onRunning).runService()
    }

    static func json<T: Encodable>(_ value: T, status: HTTPResponse.Status = .ok) throws -> Response {
        let body = try WireJSON.encode(value)
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        headers[.cacheControl] = "no-store"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }

    static func addOperationsRoutes(_ router: Router<BasicRequestContext>, _ service: SyncService) {
        router.get("/healthz") { _, _ in try json(["status": "ok"]) }
        router.get("/readyz") { _, _ -> Response in
            do {
                try await service.catalog.ping()
                guard FileManager.default.isWritableFile(atPath: service.blobs.root.path) else {
                    throw SyncError(.serviceUnavailable, "blob folder is not writable")
                }
            } catch let error as SyncError {
                throw error
            } catch {
                throw SyncError(.serviceUnavailable, "database unavailable")
            }
            return try json(["status": "ready"])
        }
        router.get("/metrics") { _, _ -> Response in
            var headers = HTTPFields()
            headers[.contentType] = "text/plain; version=0.0.4"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: service.metrics.exposition())))
        }
        router.get("/openapi.json") { _, _ -> Response in
            var headers = HTTPFields()
            headers[.contentType] = "application/json"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: OpenAPIDocument.json)))
        }
        router.get("/v1/keys/metadata") { _, _ -> Response in
            var headers = HTTPFields()
            headers[.contentType] = "text/plain"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: service.metadataKey.publicKey.fileText)))
        }
    }

    static func addResolveRoutes(_ router: Router<BasicRequestContext>, _ service: SyncService) {
        router.get("/v1/resolve") { request, _ -> Response in
            let parameters = request.uri.queryParameters
            let query = try RequestValidation.resolveQuery { parameters.get($0) }
            let body = try await service.resolve(query)
            var headers = HTTPFields()
            headers[.contentType] = "application/json"
            headers[.cacheControl] = "no-store"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
        }
        router.get("/v1/models") { _, _ in try json(try await service.models()) }
        router.get("/v1/models/{model}") { _, context in
            let model = try RequestValidation.model(context.parameters.get("model"))
            return try json(try await service.model(model))
        }
    }
}
