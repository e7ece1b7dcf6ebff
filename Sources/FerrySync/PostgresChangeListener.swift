import Logging
import PostgresNIO

/// Follows `LISTEN ferry_catalog` on one dedicated connection, so that writes made through other
/// instances reach this instance's caches at once instead of at the next poll.
///
/// Every catalogue write sends `pg_notify('ferry_catalog', model)` inside its transaction, so the
/// notification arrives only once the write is committed and visible. When the connection drops,
/// notifications sent meanwhile are lost: the listener reconnects with growing, jittered delays and,
/// as soon as it listens again, reports ``CatalogChange/all``.
struct PostgresChangeListener: Sendable {
    /// The notification channel the catalogue's writes announce themselves on.
    static let channel = "ferry_catalog"
    /// Shown in `pg_stat_activity`, so operators (and tests) can tell this connection apart.
    static let applicationName = "ferry-catalog-listener"

    let configuration: PostgresConnection.Configuration
    let logger: Logger
    var firstDelay: Duration = .milliseconds(250)
    var longestDelay: Duration = .seconds(8)

    /// Listens until the task is cancelled, then stops listening and closes the connection.
    func run(_ handler: @escaping @Sendable (CatalogChange) -> Void) async {
        var delay = firstDelay
        var attempt = 0
        while !Task.isCancelled {
            attempt += 1
            do {
                let connection = try await PostgresConnection.connect(configuration: configuration, id: attempt, logger: logger)
                do {
                    try await connection.listen(on: Self.channel) { notifications in
                        // LISTEN is in place: whatever was written before it may have gone unannounced.
                        logger.log(level: attempt == 1 ? .debug : .notice, "listening for catalogue changes",
                                   metadata: ["channel": "\(Self.channel)", "attempt": "\(attempt)"])
                        delay = firstDelay
                        handler(.all)
                        for try await notification in notifications {
                            handler(.model(notification.payload))
                        }
                    }
                } catch {
                    try? await connection.close()
                    throw error
                }
                try? await connection.close()
            } catch where Task.isCancelled {
                break
            } catch {
                logger.warning("catalogue change listener lost its connection; caches fall back to polling until it is back",
                               metadata: ["error": "\(Self.describe(error))", "retry_in": "\(delay)"])
            }
            guard !Task.isCancelled else { break }
            try? await Task.sleep(for: delay * Double.random(in: 0.5...1.0))
            delay = min(delay * 2, longestDelay)
        }
    }

    /// What went wrong, for the log: the error code and the server's message, never the connection
    /// settings (PSQLError's own description says nothing, and its debug one includes the query).
    static func describe(_ error: any Error) -> String {
        guard let error = error as? PSQLError else { return "\(error)" }
        var text = "\(error.code)"
        if let state = error.serverInfo?[.sqlState] { text += " [\(state)]" }
        if let message = error.serverInfo?[.message] { text += ": \(message)" }
        if let underlying = error.underlying { text += " (\(underlying))" }
        return text
    }
}
