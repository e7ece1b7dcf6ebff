import Foundation
import PostgresNIO

extension PostgresCatalog {
    /// The parts of a `postgres://` URL.
    struct Endpoint {
        var host: String
        var port: Int
        var user: String
        var password: String?
        var database: String?

        init(_ text: String) throws {
            guard let url = URL(string: text), ["postgres", "postgresql"].contains(url.scheme ?? ""), let host = url.host,
                  let user = url.user else {
                throw SyncError.badRequest("--database must look like postgres://user:password@host:port/database")
            }
            self.host = host
            port = url.port ?? 5432
            self.user = user
            password = url.password?.removingPercentEncoding
            database = url.path.split(separator: "/").first.map(String.init)
        }

        var poolConfiguration: PostgresClient.Configuration {
            PostgresClient.Configuration(host: host, port: port, username: user, password: password, database: database, tls: .disable)
        }

        var listenerConfiguration: PostgresConnection.Configuration {
            var configuration = PostgresConnection.Configuration(host: host, port: port, username: user, password: password,
                                                                 database: database, tls: .disable)
            configuration.options.additionalStartupParameters = [("application_name", PostgresChangeListener.applicationName)]
            return configuration
        }
    }
}
