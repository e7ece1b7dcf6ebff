import ArgumentParser
import FerrySync
import Foundation
import Logging

/// `ferry token create --data DIR --model N`: prints a new publisher token; only its hash is stored.
struct TokenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token", abstract: "Manage publisher tokens.", subcommands: [Create.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "create", abstract: "Print a new publisher token for one model (only its SHA-256 is stored).")

        @Option(help: "The service's data folder.") var data: String
        @Option(help: "The model the token may publish and roll out.") var model: String
        @Option(help: "The service's postgres:// catalogue, when it uses one.") var database: String?

        func run() async throws {
            try await reportingDistributionErrors {
                let logger = Logger(label: "ferry.token")
                let now = Int64(Date().timeIntervalSince1970)
                if let database {
                    let catalog = try PostgresCatalog(url: database, logger: logger)
                    try await catalog.migrate()
                    print(try await PublisherToken.create(model: model, catalog: catalog, now: now))
                    catalog.close()
                } else {
                    let catalog = try await SQLiteCatalog.open(dataDirectory: URL(fileURLWithPath: data), logger: logger)
                    let token = try await PublisherToken.create(model: model, catalog: catalog, now: now)
                    try await catalog.close()
                    print(token)
                }
            }
        }
    }
}
