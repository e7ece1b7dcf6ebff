import FerrySyncProtocol
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Small request helper: transport errors become ``ClientError/unreachable(url:reason:)``,
/// error statuses ``ClientError/http(url:status:message:)`` with the service's message.
enum HTTP {
    static func send(_ request: URLRequest, session: URLSession = .shared, expect: Set<Int> = [200]) async throws -> Data {
        let url = request.url?.absoluteString ?? "?"
        let data: Data
        let response: URLResponse
        do { (data, response) = try await session.data(for: request) } catch {
            throw ClientError.unreachable(url: url, reason: error.localizedDescription)
        }
        let status = (response as? HTTPURLResponse)?.statusCode ?? 0
        guard expect.contains(status) else {
            let message = (try? JSONDecoder().decode(ErrorBody.self, from: data).error)
                ?? String(decoding: data.prefix(200), as: UTF8.self)
            throw ClientError.http(url: url, status: status, message: message)
        }
        return data
    }

    static func get(_ url: URL, session: URLSession = .shared) async throws -> Data {
        var request = URLRequest(url: url)
        request.timeoutInterval = 30
        return try await send(request, session: session)
    }
}
