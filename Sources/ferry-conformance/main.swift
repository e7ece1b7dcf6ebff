// Runs the ONNX backend node test cases in a folder and prints a summary; with
// --update-readme FILE it rewrites the supported-operator table in README.md (`make op-table`).
import FerryRuntime
import FerryTestSupport
import Foundation

let arguments = Array(CommandLine.arguments.dropFirst())
guard let root = arguments.first(where: { !$0.hasPrefix("--") }) else {
    FileHandle.standardError.write(Data("usage: ferry-conformance CASES_DIR [--verbose] [--filter SUBSTRING] [--update-readme README.md]\n".utf8))
    exit(2)
}
func option(_ name: String) -> String? {
    guard let index = arguments.firstIndex(of: name), index + 1 < arguments.count else { return nil }
    return arguments[index + 1]
}
let verbose = arguments.contains("--verbose")
let filter = option("--filter")

var report = ConformanceReport()
for testCase in try ConformanceCase.all(in: URL(fileURLWithPath: root)) where filter == nil || testCase.name.contains(filter!) {
    let outcome = testCase.run()
    report.add(operators: (try? testCase.operators()) ?? [], outcome: outcome)
    switch outcome {
    case .passed: break
    case .failed(let message): print("FAIL \(testCase.name): \(message.prefix(300))")
    case .unsupported(let message): if verbose { print("UNSUPPORTED \(testCase.name): \(message)") }
    }
}
print("\(report.passed) passed, \(report.failed) failed, \(report.unsupported) unsupported of \(report.total) cases")
if let readmePath = option("--update-readme") {
    let readme = try String(contentsOfFile: readmePath, encoding: .utf8)
    guard let updated = ConformanceReport.replacingTable(in: readme, with: report.markdownTable()) else {
        FileHandle.standardError.write(Data("\(readmePath) has no operator-table markers\n".utf8))
        exit(2)
    }
    try updated.write(toFile: readmePath, atomically: true, encoding: .utf8)
    print("updated the operator table in \(readmePath)")
}
