import ArgumentParser
import FerryIR
import FerryPasses
import FerryRuntime
import Foundation

/// `ferry bench MODEL [--threads N] [--json]`: load time, latency and peak memory.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure model load time, inference latency (median, p90) and peak memory.",
        discussion: """
        Inputs are random (fixed seed) with the model's declared shapes; symbolic dimensions are 1
        unless --input-shape sets them. --json prints one object with load_ms, median_ms, p90_ms and
        peak_rss_mb (plus runs, threads, mean_ms and optimized). Like ONNX Runtime's default session,
        the graph is optimized at load (constants folded, BatchNorm folded, activations fused into
        their Conv/Gemm) and load_ms includes that; --no-optimize runs the graph as written (the
        runtime still computes a Conv and the Clip after it, or a QuantizeLinear and its
        DequantizeLinear, in one pass, with the same bits as node by node).
        """
    )

    @Argument(help: "The model file (.onnx).")
    var model: String

    @Option(help: "Worker threads.")
    var threads: Int = 1

    @Option(help: "Timed runs after warm-up.")
    var runs: Int = 30

    @Option(help: "Untimed warm-up runs.")
    var warmup: Int = 3

    @Option(name: .customLong("input"), help: "Use this input instead of random data (NAME=FILE).")
    var inputs: [String] = []

    @Option(name: .customLong("input-shape"), help: "Shape for an input with dynamic dims, NAME=1,3,224,224.")
    var inputShapes: [String] = []

    @Flag(name: .customLong("no-optimize"), help: "Run the graph as written (no folding or fusion at load).")
    var noOptimize = false

    @Flag(help: "Print one JSON object.")
    var json = false

    @Flag(help: "Also print the time spent per op type (text output).")
    var profile = false

    @Option(help: ArgumentHelp("How quantized ops compute: auto (integer kernels for .tflite, QDQ float for .onnx), float, double or single.", valueName: "mode"))
    var arithmetic: String = "auto"

    func validate() throws {
        guard threads >= 1 else { throw ValidationError("--threads must be at least 1") }
        guard runs >= 1 else { throw ValidationError("--runs must be at least 1") }
    }

    func run() throws {
        try reportingErrors {
            let start = DispatchTime.now()
            var loaded = try loadModel(path: model)
            let readMs = milliseconds(since: start)
            if !noOptimize {
                do {
                    loaded = try PassPipeline.standard(fuseActivations: true).run(loaded).0
                } catch let error as PassError {
                    throw CLIError("\(model): \(error)")
                }
            }
            let session: InferenceSession
            do {
                session = try InferenceSession(model: loaded, options: try sessionOptions(path: model, threads: threads, arithmetic: arithmetic))
            } catch let error as RuntimeError {
                throw CLIError("\(model): \(error)")
            }
            let loadMs = milliseconds(since: start)
            var feeds = try loadInputs(inputs)
            let shapes = try parseShapes(inputShapes)
            var generator = SplitMix64(seed: 0x5EED)
            for input in session.inputs where feeds[input.name] == nil {
                feeds[input.name] = try randomTensor(for: input, shape: shapes[input.name], using: &generator)
            }
            for _ in 0..<warmup { _ = try session.run(feeds) }
            var times: [Double] = []
            for _ in 0..<runs {
                let t0 = DispatchTime.now()
                _ = try session.run(feeds)
                times.append(milliseconds(since: t0))
            }
            times.sort()
            let profiler = profile ? Profiler() : nil
            if let profiler { for _ in 0..<runs { _ = try session.run(feeds, profiler: profiler) } }
            let median = percentile(times, 0.5), p90 = percentile(times, 0.9)
            let mean = times.reduce(0, +) / Double(times.count)
            var usage = rusage()
            #if os(Linux)
            getrusage(RUSAGE_SELF.rawValue, &usage)
            #else
            getrusage(RUSAGE_SELF, &usage)
            #endif
            let peakMB = Double(usage.ru_maxrss) / 1024
            if json {
                let object: [String: Any] = [
                    "model": model, "threads": threads, "runs": runs,
                    "load_ms": round3(loadMs), "read_ms": round3(readMs), "session_ms": round3(loadMs - readMs), "median_ms": round3(median), "p90_ms": round3(p90),
                    "mean_ms": round3(mean), "peak_rss_mb": round3(peakMB), "optimized": !noOptimize,
                ]
                let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
                print(String(decoding: data, as: UTF8.self))
            } else {
                print("\(model): \(threads) thread\(threads == 1 ? "" : "s"), \(runs) runs")
                print(String(format: "  load %.2f ms (read %.2f, session %.2f), median %.3f ms, p90 %.3f ms, mean %.3f ms, peak RSS %.1f MB",
                             loadMs, readMs, loadMs - readMs, median, p90, mean, peakMB))
                if let profiler {
                    print("  time per op type (mean per run):")
                    for entry in profiler.summary {
                        print(String(format: "    %-24@ %9.3f ms  %d calls", entry.opType as NSString, entry.milliseconds / Double(runs), entry.calls / runs))
                    }
                }
            }
        }
    }

    func parseShapes(_ arguments: [String]) throws -> [String: [Int]] {
        var result: [String: [Int]] = [:]
        for argument in arguments {
            let parts = argument.split(separator: "=", maxSplits: 1)
            let dims = parts.count == 2 ? parts[1].split(separator: ",").compactMap { Int($0) } : []
            guard parts.count == 2, dims.count == parts[1].split(separator: ",").count, dims.allSatisfy({ $0 >= 0 }) else {
                throw CLIError("--input-shape '\(argument)': expected NAME=D1,D2,…")
            }
            result[String(parts[0])] = dims
        }
        return result
    }

    func randomTensor(for input: ValueInfo, shape override: [Int]?, using generator: inout SplitMix64) throws -> Tensor {
        guard let type = input.type else { throw CLIError("input '\(input.name)' has no declared type; pass it with --input") }
        let shape = override ?? (type.shape ?? []).map { $0.value ?? 1 }
        let count = shape.reduce(1, *)
        switch type.dataType {
        case .float32: return Tensor(shape: shape, values: (0..<count).map { _ in Float(generator.nextUnit()) })
        case .float16: return Tensor(shape: shape, values: (0..<count).map { _ in Float16(Float(generator.nextUnit())) })
        case .float64: return Tensor(shape: shape, values: (0..<count).map { _ in generator.nextUnit() })
        default: return Tensor(dataType: type.dataType, shape: shape)
        }
    }
}

func milliseconds(since start: DispatchTime) -> Double {
    Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e6
}

func percentile(_ sorted: [Double], _ fraction: Double) -> Double {
    guard !sorted.isEmpty else { return 0 }
    let position = fraction * Double(sorted.count - 1)
    let low = Int(position.rounded(.down)), high = Int(position.rounded(.up))
    return sorted[low] + (sorted[high] - sorted[low]) * (position - Double(low))
}

func round3(_ value: Double) -> Double { (value * 1000).rounded() / 1000 }

/// A small deterministic generator (SplitMix64) for benchmark inputs.
struct SplitMix64 {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E3779B97F4A7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58476D1CE4E5B9
        z = (z ^ (z >> 27)) &* 0x94D049BB133111EB
        return z ^ (z >> 31)
    }
    mutating func nextUnit() -> Double { Double(next() >> 11) / Double(1 << 53) }
}
