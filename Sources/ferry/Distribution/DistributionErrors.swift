import ArgumentParser
import FerryBundle
import FerryClient
import FerrySync
import FerrySyncProtocol
import Foundation

/// Runs a distribution command, rendering errors as one line on stderr: exit 2 for bad input or
/// usage (a file, key, flag or bundle at fault), exit 1 for everything else (network, service, disk).
func reportingDistributionErrors<T>(_ body: () async throws -> T) async throws -> T {
    do {
        return try await body()
    } catch let error as ExitCode {
        throw error
    } catch let error as BundleError {
        throw failure(error.description, code: error.isBadInput ? 2 : 1)
    } catch let error as ClientError {
        switch error {
        case .verification(let inner): throw failure(error.description, code: inner.isBadInput ? 2 : 1)
        case .http(_, let status, _) where (400..<500).contains(status): throw failure(error.description, code: 2)
        default: throw failure(error.description, code: 1)
        }
    } catch let error as SyncError {
        throw failure(error.message, code: 1)
    } catch let error as SyncProtocolError {
        throw failure(error.description, code: 1)
    } catch let error as CLIError {
        throw failure(error.description, code: 2)
    } catch {
        throw failure("\(error)", code: 1)
    }
}

/// Loads `--trusted-key` files.
func loadTrustedKeys(_ paths: [String], flag: String = "--trusted-key") throws -> [TrustedKey] {
    guard !paths.isEmpty else { throw CLIError("give at least one \(flag) KEY.pub") }
    return try paths.map { try TrustedKey(contentsOf: $0) }
}

/// Parses a server URL flag.
func serverURL(_ text: String) throws -> URL {
    guard let url = URL(string: text), let scheme = url.scheme, ["http", "https"].contains(scheme), url.host != nil else {
        throw CLIError("--server '\(text)' is not an http(s) URL")
    }
    return url
}
