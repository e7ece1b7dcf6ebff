import FerryIR
import FerryVerify
import TensorIO
import Foundation
import Testing

/// The reports' text is a contract for CI scripts and dashboards: it is compared with committed
/// snapshots. Re-record them after an intended change with FERRY_RECORD_SNAPSHOTS=1.
@Suite struct ReportSnapshotTests {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Snapshots")

    func check(_ text: String, _ name: String) throws {
        let file = Self.folder.appendingPathComponent(name)
        if ProcessInfo.processInfo.environment["FERRY_RECORD_SNAPSHOTS"] == "1" {
            try Data(text.utf8).write(to: file)
            return
        }
        let expected = try String(contentsOf: file, encoding: .utf8)
        if text != expected {
            let lines = zip(text.split(separator: "\n", omittingEmptySubsequences: false), expected.split(separator: "\n", omittingEmptySubsequences: false))
            let first = lines.enumerated().first { $0.element.0 != $0.element.1 }
            Issue.record("\(name) differs from its snapshot at line \((first?.offset ?? 0) + 1): got \(first.map { String($0.element.0) } ?? "(length)"), expected \(first.map { String($0.element.1) } ?? "(length)"); re-record with FERRY_RECORD_SNAPSHOTS=1 if intended")
        }
    }

    /// The perturbed MLP against the original, over budget, with a per-output bound and a config-like budget.
    func overBudget() throws -> DriftReport {
        var report = try Verifier(source: TestModels.mlp(), candidate: TestModels.mlp(perturb: "w2"),
                                  sourceLabel: "mlp.onnx", candidateLabel: "mlp-perturbed.onnx")
            .run(samples: TestModels.mlpSamples(4),
                 budget: DriftBudget([DriftBound(metric: .cosine, value: 0.99), DriftBound(metric: .top1, value: 0.99),
                                      DriftBound(output: "logits", metric: .maxAbs, value: 10)]),
                 topK: 2)
        report.source = "mlp.onnx"
        return report
    }

    @Test func overBudgetReports() throws {
        let report = try overBudget()
        try check(report.json(), "over-budget.json")
        try check(report.markdown(), "over-budget.md")
        try check(report.junit(), "over-budget.xml")
        try check(report.summary(), "over-budget.txt")
    }

    @Test func withinBudgetQDQReports() throws {
        let (source, candidate) = TestModels.qdqPair()
        let samples = SampleSet(samples: [
            ["x": Tensor(shape: [1, 4], values: [Float](arrayLiteral: 0.5, 1, -1, 2))],
            ["x": Tensor(shape: [1, 4], values: [Float](arrayLiteral: 0.3, 1, 0, 0.5))],
        ])
        let report = try Verifier(source: source, candidate: candidate, sourceLabel: "float.onnx", candidateLabel: "int8.onnx")
            .run(samples: samples, budget: .none, layerBound: .none)
        try check(report.json(), "qdq-no-budget.json")
        try check(report.junit(), "qdq-no-budget.xml")
    }

    @Test func jsonIsValidAndKeysAreStable() throws {
        let text = try overBudget().json()
        let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect(Set(object.keys) == ["format", "version", "source", "candidate", "samples", "passed", "budget", "outputs", "violations", "layers"])
        #expect(object["passed"] as? Bool == false)
        let layers = try #require(object["layers"] as? [String: Any])
        let first = try #require(layers["first_drift"] as? [String: Any])
        #expect(first["value"] as? String == "c")
    }

    @Test func junitEscapesNames() throws {
        var report = try overBudget()
        report.candidate = "a<b & \"c\"\u{1}.onnx"
        let xml = report.junit()
        #expect(xml.contains("drift of a&lt;b &amp; &quot;c&quot;.onnx against mlp.onnx"))
        #expect(xml.contains("<failure type=\"drift\""))
    }
}

