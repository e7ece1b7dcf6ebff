import FerryBundle
import Foundation

/// What the client remembers between runs, written atomically to `state.json`.
struct ClientState: Codable, Equatable {
    var current: String?
    var previous: String?
    /// Highest metadata sequence accepted: answers below it are replays (rollback attacks).
    var sequence: Int64 = 0
    /// Raw metadata key pinned on first use, base64.
    var pinnedMetadataKey: String?

    static func load(_ url: URL) throws -> ClientState {
        guard let data = FileManager.default.contents(atPath: url.path) else { return ClientState() }
        do { return try JSONDecoder().decode(ClientState.self, from: data) } catch {
            throw ClientError.cache(path: url.path, reason: "state file is damaged: \(error)")
        }
    }

    func save(_ url: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        do { try AtomicFile.write(try encoder.encode(self), to: url.path) } catch {
            throw ClientError.cache(path: url.path, reason: "cannot write state: \(error)")
        }
    }
}
