import FerryBundle
import FerryDistributionTestSupport
import FerrySync
import FerrySyncProtocol
import Foundation
import Testing

/// The server is checked against its OpenAPI document: every documented operation is exercised,
/// every answer's status is documented for it, and JSON bodies carry the schema's required fields.
@Suite(.serialized) struct OpenAPIContractTests {
    struct Case {
        var method: String
        var template: String
        var path: String
        var body: Data? = nil
        var authorized = false
        var headers: [String: String] = [:]
    }

    @Test func everyOperationAnswersAsDocumented() async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        let v1 = try server.bundle(version: "1.0.0", payload: weights(20_000, seed: 1))
        #expect(try await server.publish(v1).0 == 201)
        let sha = Digest.sha256Hex(v1)
        let (status, docData, _) = try await server.request("GET", "/openapi.json")
        #expect(status == 200)
        let doc = try #require(try JSONSerialization.jsonObject(with: docData) as? [String: Any])
        let paths = try #require(doc["paths"] as? [String: [String: Any]])

        let json = { (text: String) in Data(text.utf8) }
        let cases: [Case] = [
            Case(method: "GET", template: "/healthz", path: "/healthz"),
            Case(method: "GET", template: "/readyz", path: "/readyz"),
            Case(method: "GET", template: "/metrics", path: "/metrics"),
            Case(method: "GET", template: "/openapi.json", path: "/openapi.json"),
            Case(method: "GET", template: "/v1/keys/metadata", path: "/v1/keys/metadata"),
            Case(method: "GET", template: "/v1/resolve", path: "/v1/resolve?model=mobilenet&platform=android&runtime=tflite&deviceId=a"),
            Case(method: "GET", template: "/v1/resolve", path: "/v1/resolve?model=mobilenet&platform=android&runtime=tflite"),
            Case(method: "GET", template: "/v1/resolve", path: "/v1/resolve?model=nope&platform=android&runtime=tflite&deviceId=a"),
            Case(method: "GET", template: "/v1/models", path: "/v1/models"),
            Case(method: "GET", template: "/v1/models/{model}", path: "/v1/models/mobilenet"),
            Case(method: "GET", template: "/v1/models/{model}", path: "/v1/models/Bad!"),
            Case(method: "GET", template: "/v1/models/{model}", path: "/v1/models/nope"),
            Case(method: "POST", template: "/v1/models/{model}/releases", path: "/v1/models/mobilenet/releases?rollout=20",
                 body: try server.bundle(version: "1.1.0", payload: weights(20_000, seed: 2)), authorized: true),
            Case(method: "POST", template: "/v1/models/{model}/releases", path: "/v1/models/mobilenet/releases", body: v1, authorized: true),
            Case(method: "POST", template: "/v1/models/{model}/releases", path: "/v1/models/mobilenet/releases", body: v1),
            Case(method: "POST", template: "/v1/models/{model}/releases", path: "/v1/models/mobilenet/releases", body: Data([1]), authorized: true),
            Case(method: "PUT", template: "/v1/models/{model}/channels/{channel}", path: "/v1/models/mobilenet/channels/stable",
                 body: json(#"{"rollout":50}"#), authorized: true),
            Case(method: "PUT", template: "/v1/models/{model}/channels/{channel}", path: "/v1/models/mobilenet/channels/stable",
                 body: json(#"{"rollout":50,"version":"7.0.0"}"#), authorized: true),
            Case(method: "PUT", template: "/v1/models/{model}/channels/{channel}", path: "/v1/models/mobilenet/channels/stable",
                 body: json(#"{"rollout":50}"#)),
            Case(method: "POST", template: "/v1/models/{model}/channels/{channel}/rollback",
                 path: "/v1/models/mobilenet/channels/stable/rollback", body: json(#"{"version":"1.0.0"}"#), authorized: true),
            Case(method: "POST", template: "/v1/models/{model}/channels/{channel}/rollback",
                 path: "/v1/models/mobilenet/channels/stable/rollback", body: json(#"{"version":"x"}"#), authorized: true),
            Case(method: "GET", template: "/v1/models/{model}/audit", path: "/v1/models/mobilenet/audit", authorized: true),
            Case(method: "GET", template: "/v1/models/{model}/audit", path: "/v1/models/mobilenet/audit"),
            Case(method: "GET", template: "/v1/blobs/{sha256}", path: "/v1/blobs/\(sha)"),
            Case(method: "GET", template: "/v1/blobs/{sha256}", path: "/v1/blobs/\(sha)", headers: ["Range": "bytes=0-9"]),
            Case(method: "GET", template: "/v1/blobs/{sha256}", path: "/v1/blobs/\(sha)", headers: ["If-None-Match": "\"\(sha)\""]),
            Case(method: "GET", template: "/v1/blobs/{sha256}", path: "/v1/blobs/\(sha)", headers: ["Range": "bytes=999999-"]),
            Case(method: "GET", template: "/v1/blobs/{sha256}", path: "/v1/blobs/xyz"),
            Case(method: "GET", template: "/v1/blobs/{sha256}", path: "/v1/blobs/\(String(repeating: "0", count: 64))"),
            Case(method: "HEAD", template: "/v1/blobs/{sha256}", path: "/v1/blobs/\(sha)"),
        ]
        let documented = Set(paths.flatMap { path, operations in operations.keys.map { "\($0.uppercased()) \(path)" } })
        let exercised = Set(cases.map { "\($0.method) \($0.template)" })
        #expect(documented == exercised, "documented only: \(documented.subtracting(exercised)); exercised only: \(exercised.subtracting(documented))")

        for item in cases {
            let (status, body, response) = try await server.request(item.method, item.path, body: item.body,
                                                                     token: item.authorized ? server.token : nil, headers: item.headers)
            let label = "\(item.method) \(item.path.prefix(90))"
            guard let operation = paths[item.template]?[item.method.lowercased()] as? [String: Any],
                  let responses = operation["responses"] as? [String: Any] else { Issue.record("\(label): not documented"); continue }
            guard let documentedResponse = responses[String(status)] as? [String: Any] else {
                Issue.record("\(label): status \(status) not documented (\(responses.keys.sorted()))"); continue
            }
            let resolved = resolve(documentedResponse, in: doc)
            guard let content = resolved["content"] as? [String: Any],
                  let jsonContent = content["application/json"] as? [String: Any],
                  let schema = jsonContent["schema"] as? [String: Any] else { continue }
            #expect(response.value(forHTTPHeaderField: "Content-Type")?.hasPrefix("application/json") == true, "\(label)")
            let value = try JSONSerialization.jsonObject(with: body, options: [.fragmentsAllowed])
            for problem in check(value, against: schema, in: doc, at: "$") { Issue.record("\(label): \(problem)") }
        }
    }

    func resolve(_ object: [String: Any], in doc: [String: Any]) -> [String: Any] {
        guard let ref = object["$ref"] as? String else { return object }
        var node: Any = doc
        for part in ref.dropFirst(2).split(separator: "/") { node = (node as? [String: Any])?[String(part)] ?? [:] }
        return resolve(node as? [String: Any] ?? [:], in: doc)
    }

    /// Required properties present, types of objects and arrays right, recursively.
    func check(_ value: Any, against schema: [String: Any], in doc: [String: Any], at path: String) -> [String] {
        let schema = resolve(schema, in: doc)
        var problems: [String] = []
        switch schema["type"] as? String {
        case "object":
            guard let object = value as? [String: Any] else { return ["\(path) is not an object"] }
            for key in schema["required"] as? [String] ?? [] where object[key] == nil { problems.append("\(path).\(key) is missing") }
            let properties = schema["properties"] as? [String: Any] ?? [:]
            for (key, child) in object {
                if let childSchema = properties[key] as? [String: Any] {
                    problems += check(child, against: childSchema, in: doc, at: "\(path).\(key)")
                }
            }
        case "array":
            guard let array = value as? [Any] else { return ["\(path) is not an array"] }
            if let items = schema["items"] as? [String: Any] {
                for (index, item) in array.enumerated() { problems += check(item, against: items, in: doc, at: "\(path)[\(index)]") }
            }
        case "string": if !(value is String) { problems.append("\(path) is not a string") }
        case "integer", "number": if !(value is NSNumber) { problems.append("\(path) is not a number") }
        default: break
        }
        return problems
    }
}
