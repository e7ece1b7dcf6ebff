import FerryVerify
import Foundation

/// `ferry verify`'s flags checked and merged with its `--config` file. Every problem is a
/// `CLIError` (exit 2) naming the flag or token.
struct VerifySettings {
    let source: String
    let candidate: String
    let budget: DriftBudget
    let layerBound: DriftBudget
    let topK: Int
    let classifiers: [String]?
    let threads: Int
    let maxSamples: Int?
    /// Samples per-layer drift is measured on; nil for all.
    let layerSamples: Int?

    init(_ command: VerifyCommand) throws {
        if let first = command.unrecognized.first {
            throw CLIError(first.hasPrefix("-") ? "unknown option '\(first)' (see ferry verify --help)" : "unexpected argument '\(first)'")
        }
        guard let source = command.source, let candidate = command.candidate else {
            throw CLIError("ferry verify needs SOURCE and CANDIDATE models (ferry verify SOURCE CANDIDATE --data SPEC …)")
        }
        guard !command.data.isEmpty else { throw CLIError("ferry verify needs --data (a .npz, .npy, folder or NAME=FILE)") }
        self.source = source
        self.candidate = candidate
        let config = try command.config.map { try VerifyConfig.load(path: $0) } ?? VerifyConfig()
        budget = try DriftBudget.resolve(flags: command.maxDrift, config: config.maxDrift, fallback: .default)
        layerBound = try DriftBudget.resolve(flags: command.layerBound, config: config.layerBound, flag: "--layer-bound",
                                             perLayer: true, fallback: .defaultLayerBound)
        topK = try Self.count(command.topK, flag: "--top-k") ?? config.topK ?? 5
        classifiers = command.classifiers.isEmpty ? config.classifiers : command.classifiers
        threads = try Self.count(command.threads, flag: "--threads") ?? ProcessInfo.processInfo.activeProcessorCount
        maxSamples = try Self.count(command.maxSamples, flag: "--max-samples")
        layerSamples = try Self.layerSamples(command.layerSamples)
        let stdout = [command.json, command.junit, command.markdown].filter { $0 == "-" }
        guard stdout.count <= 1 else { throw CLIError("only one report can go to stdout ('-')") }
    }

    /// `--layer-samples`: a whole number ≥ 1 or `all` (nil); the default when not given.
    static func layerSamples(_ text: String?) throws -> Int? {
        guard let text else { return Verifier.defaultLayerSamples }
        if text == "all" { return nil }
        guard let value = Int(text), value >= 1 else { throw CLIError("--layer-samples '\(text)': expected a whole number ≥ 1 or all") }
        return value
    }

    /// A whole number ≥ 1 given to `flag`.
    static func count(_ text: String?, flag: String) throws -> Int? {
        guard let text else { return nil }
        guard let value = Int(text), value >= 1 else { throw CLIError("\(flag) '\(text)': expected a whole number ≥ 1") }
        return value
    }
}
