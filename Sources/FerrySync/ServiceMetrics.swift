import Foundation
import Hummingbird
import Prometheus

/// Prometheus metrics of one instance, kept in its own registry (no global state), served at `/metrics`.
final class ServiceMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()
    private let publishes: Counter
    private let invalidations: [CatalogChange.Reason: Counter]
    private let durations: [String: ValueHistogram]
    static var requestsTotal: MetricNameDescriptor {
        MetricNameDescriptor(namespace: "ferry", metricName: "http_requests", unitName: "total", helpText: "HTTP requests by route and status")
    }
    static let routes = ["resolve", "blob", "publish", "channel", "rollback", "models", "audit", "health", "metrics", "openapi", "other"]

    init() {
        publishes = registry.makeCounter(descriptor: MetricNameDescriptor(
            namespace: "ferry", metricName: "publishes", unitName: "total", helpText: "Bundles published by this instance"))
        let invalidation = MetricNameDescriptor(
            namespace: "ferry", metricName: "cache_invalidations", unitName: "total",
            helpText: "Catalogue change notifications received: one model (notify), or all models each time the listener (re)connects (connect)")
        var invalidations: [CatalogChange.Reason: Counter] = [:]
        for reason in CatalogChange.Reason.allCases {
            invalidations[reason] = registry.makeCounter(descriptor: invalidation, labels: [("reason", reason.rawValue)])
        }
        self.invalidations = invalidations
        let duration = MetricNameDescriptor(namespace: "ferry", metricName: "http_request_duration", unitName: "seconds",
                                            helpText: "Request handling time by route")
        var durations: [String: ValueHistogram] = [:]
        for route in Self.routes {
            durations[route] = registry.makeValueHistogram(
                descriptor: duration, labels: [("route", route)], buckets: [0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30])
        }
        self.durations = durations
    }

    func published() { publishes.increment() }

    func invalidated(_ change: CatalogChange) { invalidations[change.reason]?.increment() }

    func record(route: String, status: Int, seconds: Double) {
        registry.makeCounter(descriptor: Self.requestsTotal, labels: [("route", route), ("status", String(status))]).increment()
        durations[route]?.record(seconds)
    }

    func exposition() -> [UInt8] {
        var buffer: [UInt8] = []
        buffer.reserveCapacity(8192)
        registry.emit(into: &buffer)
        return buffer
    }

    /// The route label of a request path (a fixed set, so hostile paths cannot grow the metrics).
    static func route(of path: Substring) -> String {
        if path.hasPrefix("/v1/resolve") { return "resolve" }
        if path.hasPrefix("/v1/blobs/") { return "blob" }
        if path.hasPrefix("/v1/models") {
            if path.hasSuffix("/releases") { return "publish" }
            if path.hasSuffix("/rollback") { return "rollback" }
            if path.hasSuffix("/audit") { return "audit" }
            if path.contains("/channels/") { return "channel" }
            return "models"
        }
        if path == "/healthz" || path == "/readyz" { return "health" }
        if path == "/metrics" { return "metrics" }
        if path.hasPrefix("/openapi") { return "openapi" }
        return "other"
    }
}

/// Records every response's route, status and duration.
struct MetricsMiddleware<Context: RequestContext>: RouterMiddleware {
    let metrics: ServiceMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        let route = ServiceMetrics.route(of: Substring(request.uri.path))
        do {
            let response = try await next(request, context)
            metrics.record(route: route, status: Int(response.status.code), seconds: Self.seconds(since: start))
            return response
        } catch let error as HTTPResponseError {
            metrics.record(route: route, status: Int(error.status.code), seconds: Self.seconds(since: start))
            if error.status.code >= 500 || route == "publish" || route == "rollback" || route == "channel" {
                context.logger.notice("request refused", metadata: ["route": "\(route)", "status": "\(error.status.code)",
                                                                     "reason": "\(error)"])
            }
            throw error
        } catch {
            metrics.record(route: route, status: 500, seconds: Self.seconds(since: start))
            context.logger.error("request failed", metadata: ["route": "\(route)", "error": "\(error)"])
            throw error
        }
    }

    static func seconds(since start: ContinuousClock.Instant) -> Double {
        let elapsed = ContinuousClock.now - start
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }
}
