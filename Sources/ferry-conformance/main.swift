// Runs the ONNX backend node test cases in a folder and prints a summary, or with --markdown
// the supported-operator table that README.md carries (regenerate with `make op-table`).
import FerryRuntime
import FerryTestSupport
import Foundation

let arguments = CommandLine.arguments.dropFirst()
guard let root = arguments.first(where: { !$0.hasPrefix("--") }) else {
    FileHandle.standardError.write(Data("usage: ferry-conformance CASES_DIR [--markdown] [--verbose] [--filter SUBSTRING]\n".utf8))
    exit(2)
}
let markdown = arguments.contains("--markdown")
let verbose = arguments.contains("--verbose")
let filter: String? = {
    guard let index = arguments.firstIndex(of: "--filter"), arguments.index(after: index) < arguments.endIndex else { return nil }
    return arguments[arguments.index(after: index)]
}()

let cases = try ConformanceCase.all(in: URL(fileURLWithPath: root)).filter { filter == nil || $0.name.contains(filter!) }
var byOp: [String: (passed: Int, failed: Int, unsupported: Int)] = [:]
var passed = 0, failed = 0, unsupported = 0
for testCase in cases {
    let outcome = testCase.run()
    let ops = (try? testCase.operators()) ?? []
    for op in ops {
        var entry = byOp[op] ?? (0, 0, 0)
        switch outcome {
        case .passed: entry.passed += 1
        case .failed: entry.failed += 1
        case .unsupported: entry.unsupported += 1
        }
        byOp[op] = entry
    }
    switch outcome {
    case .passed: passed += 1
    case .failed(let message):
        failed += 1
        if verbose || !markdown { print("FAIL \(testCase.name): \(message.prefix(300))") }
    case .unsupported(let message):
        unsupported += 1
        if verbose { print("UNSUPPORTED \(testCase.name): \(message)") }
    }
}
if markdown {
    let supported = Set(OperatorRegistry.supportedOperators)
    print("| Operator | Node test cases passed | Status |")
    print("|---|---|---|")
    for op in byOp.keys.sorted() where supported.contains(op) {
        let entry = byOp[op]!
        let total = entry.passed + entry.failed + entry.unsupported
        print("| \(op) | \(entry.passed)/\(total) | \(entry.failed == 0 ? "supported" : "partial") |")
    }
    for op in supported.subtracting(byOp.keys).sorted() { print("| \(op) | – | supported (no node test) |") }
    print("")
    print("\(passed) of \(cases.count) ONNX backend node test cases pass; \(unsupported) use operators Ferry does not run yet.")
} else {
    print("\(passed) passed, \(failed) failed, \(unsupported) unsupported of \(cases.count) cases")
    let missing = byOp.filter { $0.value.unsupported > 0 && $0.value.passed == 0 && $0.value.failed == 0 }.map(\.key).sorted()
    print("operators only in unsupported cases: \(missing.joined(separator: " "))")
}
