import FerryBundle
import FerrySyncProtocol
import Foundation
import Hummingbird

/// Checks at the trust boundary: every name, number and body from a request, with a message naming it.
enum RequestValidation {
    static func model(_ value: String?) throws -> String {
        guard let value else { throw SyncError.badRequest("missing model name") }
        try field { try Manifest.checkName(value, field: "model") }
        return value
    }

    static func channel(_ value: String?) throws -> String {
        guard let value else { throw SyncError.badRequest("missing channel name") }
        try field { try Manifest.checkToken(value, field: "channel") }
        return value
    }

    static func rollout(_ value: String?) throws -> Double {
        guard let value else { return 100 }
        guard let number = Double(value), number.isFinite, (0...100).contains(number) else {
            throw SyncError.badRequest("query parameter 'rollout' must be a percentage from 0 to 100, got '\(value.prefix(32))'")
        }
        return number
    }

    static func version(_ value: String, field name: String) throws {
        guard SemanticVersion(value) != nil else {
            throw SyncError.badRequest("'\(name)' must be a semantic version (MAJOR.MINOR.PATCH), got '\(value.prefix(64))'")
        }
    }

    static func resolveQuery(_ parameter: (String) -> String?) throws -> ResolveQuery {
        func required(_ name: String) throws -> String {
            guard let value = parameter(name), !value.isEmpty else { throw SyncError.badRequest("missing query parameter '\(name)'") }
            return value
        }
        func optional(_ name: String, maxLength: Int = 64) throws -> String? {
            guard let value = parameter(name), !value.isEmpty else { return nil }
            guard value.utf8.count <= maxLength, value.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7f }) else {
                throw SyncError.badRequest("query parameter '\(name)' must be 1 to \(maxLength) printable ASCII characters")
            }
            return value
        }
        let model = try Self.model(try required("model"))
        let channel = try Self.channel(parameter("channel") ?? "stable")
        let platform = try required("platform")
        let runtime = try required("runtime")
        try field { try Manifest.checkToken(platform, field: "platform") }
        try field { try Manifest.checkToken(runtime, field: "runtime") }
        guard let deviceID = try optional("deviceId", maxLength: 128) else { throw SyncError.badRequest("missing query parameter 'deviceId'") }
        let deviceClass = try optional("deviceClass")
        if let deviceClass { try field { try Manifest.checkToken(deviceClass, field: "deviceClass") } }
        return ResolveQuery(model: model, channel: channel, platform: platform, runtime: runtime,
                            runtimeVersion: try optional("runtimeVersion"), appID: try optional("appId", maxLength: 128),
                            appVersion: try optional("appVersion"), deviceClass: deviceClass, deviceID: deviceID,
                            have: try optional("have"))
    }

    static func body<T: Decodable>(_ type: T.Type, _ request: Request) async throws -> T {
        var request = request
        let buffer: ByteBuffer
        do { buffer = try await request.collectBody(upTo: 64 * 1024) } catch {
            throw SyncError(.contentTooLarge, "request body exceeds 64 KiB")
        }
        do { return try JSONDecoder().decode(T.self, from: Data(buffer: buffer)) } catch let error as DecodingError {
            throw SyncError.badRequest("invalid JSON body: \(describe(error))")
        } catch {
            throw SyncError.badRequest("invalid JSON body")
        }
    }

    /// Turns a manifest-rule failure into a 400 carrying its message.
    static func field(_ check: () throws -> Void) throws {
        do { try check() } catch let error as BundleError {
            throw SyncError.badRequest(error.description.replacingOccurrences(of: "manifest field", with: "field"))
        }
    }

    static func describe(_ error: DecodingError) -> String {
        switch error {
        case .keyNotFound(let key, _): return "missing field '\(key.stringValue)'"
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
            return "field '\(context.codingPath.map(\.stringValue).joined(separator: "."))' has the wrong type"
        case .dataCorrupted: return "not JSON"
        @unknown default: return "\(error)"
        }
    }
}
