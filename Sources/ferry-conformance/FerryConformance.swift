// Runs the ONNX backend node test cases in a folder and prints a summary; with
// --update-readme FILE it rewrites the supported-operator table in README.md (`make op-table`).
import ArgumentParser
import FerryRuntime
import FerryTestSupport
import Foundation

@main
struct FerryConformance: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ferry-conformance", abstract: "Run the ONNX backend node test cases in a folder and summarize them.")

    @Argument(help: "The folder of node test cases (make conformance-data writes build/onnx-node-tests).")
    var cases: String
    @Flag(help: "Also list the unsupported cases.")
    var verbose = false
    @Option(help: "Run only the cases whose name contains this.")
    var filter: String?
    @Option(name: .customLong("update-readme"), help: "Rewrite the operator table between this file's markers.")
    var updateReadme: String?

    func run() throws {
        var report = ConformanceReport()
        for testCase in try ConformanceCase.all(in: URL(fileURLWithPath: cases)) where filter.map(testCase.name.contains) ?? true {
            let outcome = testCase.run()
            report.add(operators: (try? testCase.operators()) ?? [], outcome: outcome)
            switch outcome {
            case .passed: break
            case .failed(let message): print("FAIL \(testCase.name): \(message.prefix(300))")
            case .unsupported(let message): if verbose { print("UNSUPPORTED \(testCase.name): \(message)") }
            }
        }
        print("\(report.passed) passed, \(report.failed) failed, \(report.unsupported) unsupported of \(report.total) cases")
        guard let readmePath = updateReadme else { return }
        let readme = try String(contentsOfFile: readmePath, encoding: .utf8)
        guard let updated = ConformanceReport.replacingTable(in: readme, with: report.markdownTable()) else {
            throw ValidationError("\(readmePath) has no operator-table markers")
        }
        try updated.write(toFile: readmePath, atomically: true, encoding: .utf8)
        print("updated the operator table in \(readmePath)")
    }
}
