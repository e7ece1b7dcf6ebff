import FerryBundle
import FerrySyncProtocol
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

extension FerryClient {
    /// Asks the service what to run and checks the signed answer: the metadata key, that it
    /// answers this question, that it has not expired (freeze) and that its sequence does not go
    /// back (rollback). Updates the remembered sequence and pinned key in `state`.
    func resolve(state: inout ClientState, have: String?) async throws -> ResolveDecision {
        let query = ResolveQuery(model: configuration.model, channel: configuration.channel, platform: configuration.platform,
                                 runtime: configuration.runtime, runtimeVersion: configuration.runtimeVersion,
                                 appID: configuration.appID, appVersion: configuration.appVersion,
                                 deviceClass: configuration.deviceClass, deviceID: configuration.deviceID, have: have)
        var components = URLComponents(url: configuration.server.appendingPathComponent("v1/resolve"), resolvingAgainstBaseURL: false)
        components?.queryItems = query.items.map { URLQueryItem(name: $0.0, value: $0.1) }
        guard let url = components?.url else { throw ClientError.untrustedMetadata(reason: "cannot build resolve URL") }
        let data = try await HTTP.get(url, session: session)
        let signed = try decode(SignedMetadata.self, data)
        let keys = try await metadataKeys(state: &state, keyID: signed.keyID)
        let decision: ResolveDecision
        do { decision = try signed.verify(with: keys) } catch {
            throw ClientError.untrustedMetadata(reason: "\(error)")
        }
        try check(decision, state: state)
        state.sequence = decision.sequence
        return decision
    }

    func check(_ decision: ResolveDecision, state: ClientState) throws {
        guard decision.model == configuration.model, decision.channel == configuration.channel,
              decision.platform == configuration.platform, decision.runtime == configuration.runtime else {
            throw ClientError.untrustedMetadata(reason: "answer is for \(decision.model)/\(decision.channel) on \(decision.platform)/\(decision.runtime), not this request")
        }
        let now = Int64(Date().timeIntervalSince1970)
        guard decision.expiresAt > now else {
            throw ClientError.untrustedMetadata(reason: "answer expired at \(decision.expiresAt) (now \(now)); possible freeze attack")
        }
        guard decision.sequence >= state.sequence else {
            throw ClientError.untrustedMetadata(reason: "sequence \(decision.sequence) is older than \(state.sequence) already seen; possible rollback attack")
        }
    }

    /// Configured keys, else the key pinned earlier, else the service's key fetched now and pinned.
    func metadataKeys(state: inout ClientState, keyID: String) async throws -> [TrustedKey] {
        if !configuration.metadataKeys.isEmpty { return configuration.metadataKeys }
        if let pinned = state.pinnedMetadataKey, let raw = Data(base64Encoded: pinned) {
            do { return [try TrustedKey(rawRepresentation: raw)] } catch {
                throw ClientError.cache(path: stateURL.path, reason: "pinned metadata key is damaged")
            }
        }
        let text = String(decoding: try await HTTP.get(configuration.server.appendingPathComponent("v1/keys/metadata"), session: session),
                          as: UTF8.self)
        let key: TrustedKey
        do { key = try TrustedKey(fileText: text, path: "service metadata key") } catch let error as BundleError {
            throw ClientError.verification(error)
        }
        guard key.keyID == keyID else { throw ClientError.untrustedMetadata(reason: "service key \(key.keyID) did not sign this answer (\(keyID))") }
        state.pinnedMetadataKey = key.rawRepresentation.base64EncodedString()
        return [key]
    }

    func decode<T: Decodable>(_ type: T.Type, _ data: Data) throws -> T {
        do { return try JSONDecoder().decode(type, from: data) } catch {
            throw ClientError.untrustedMetadata(reason: "malformed answer: \(error)")
        }
    }
}
