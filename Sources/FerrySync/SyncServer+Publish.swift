import FerryBundle
import FerrySyncProtocol
import Foundation
import Hummingbird

extension SyncServer {
    /// Publishing and channel management; every route needs a publisher token scoped to the model.
    static func addPublishRoutes(_ router: Router<BasicRequestContext>, _ service: SyncService) {
        router.post("/v1/models/{model}/releases") { request, context -> Response in
            let model = try RequestValidation.model(context.parameters.get("model"))
            let token = try await PublisherToken.authorize(header: request.headers[.authorization], model: model, catalog: service.catalog)
            let channel = try RequestValidation.channel(request.uri.queryParameters.get("channel") ?? "stable")
            let rollout = try RequestValidation.rollout(request.uri.queryParameters.get("rollout"))
            if let length = request.headers[.contentLength].flatMap({ Int($0) }), length > service.configuration.maxBundleSize {
                throw SyncError(.contentTooLarge, "bundle of \(length) bytes exceeds the upload limit of \(service.configuration.maxBundleSize) bytes")
            }
            let result = try await service.publish(model: model, body: request.body, channel: channel, rollout: rollout, actor: token)
            return try json(result, status: .created)
        }
        router.put("/v1/models/{model}/channels/{channel}") { request, context -> Response in
            let model = try RequestValidation.model(context.parameters.get("model"))
            let token = try await PublisherToken.authorize(header: request.headers[.authorization], model: model, catalog: service.catalog)
            let channel = try RequestValidation.channel(context.parameters.get("channel"))
            let update = try await RequestValidation.body(ChannelUpdate.self, request)
            if let version = update.version { try RequestValidation.version(version, field: "version") }
            return try json(try await service.updateChannel(model: model, channel: channel, update: update, actor: token))
        }
        router.post("/v1/models/{model}/channels/{channel}/rollback") { request, context -> Response in
            let model = try RequestValidation.model(context.parameters.get("model"))
            let token = try await PublisherToken.authorize(header: request.headers[.authorization], model: model, catalog: service.catalog)
            let channel = try RequestValidation.channel(context.parameters.get("channel"))
            let body = try await RequestValidation.body(RollbackRequest.self, request)
            try RequestValidation.version(body.version, field: "version")
            return try json(try await service.rollback(model: model, channel: channel, version: body.version, actor: token))
        }
        router.get("/v1/models/{model}/audit") { request, context -> Response in
            let model = try RequestValidation.model(context.parameters.get("model"))
            _ = try await PublisherToken.authorize(header: request.headers[.authorization], model: model, catalog: service.catalog)
            return try json(try await service.catalog.audit(model: model, limit: 1000))
        }
    }
}
