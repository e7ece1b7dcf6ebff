// A mutation fuzzer for the model loader: takes seed models, mutates their bytes (bit flips,
// byte runs, truncation, insertion, deletion, splicing, varint edits), and feeds each to the
// ONNX reader, the session builder and one run with zero inputs. Errors are expected; a crash
// is not. Before each attempt the input is written to OUT/current.onnx, so a crash leaves the
// file behind to become a regression test (fixtures/fuzz/).
//
//   ferry-fuzz --seconds 600 --out build/fuzz SEED.onnx …
import ArgumentParser
import FerryIR
import FerryRuntime
import Foundation
import ONNXFormat

/// Fuzzer state: the seeds, the generator and where inputs go.
final class Fuzzer {
    var seed: UInt64
    let seeds: [Data]
    let current: String

    init(seed: UInt64, seeds: [Data], current: String) {
        self.seed = seed
        self.seeds = seeds
        self.current = current
    }

    func next() -> UInt64 {
        seed &+= 0x9E3779B97F4A7C15
        var z = seed
        z = (z ^ (z >> 30)) &* 0xBF58476D1CE4E5B9
        z = (z ^ (z >> 27)) &* 0x94D049BB133111EB
        return z ^ (z >> 31)
    }

    func random(_ n: Int) -> Int { n <= 0 ? 0 : Int(next() % UInt64(n)) }
    func mutate(_ input: Data) -> Data {
        var bytes = [UInt8](input)
        for _ in 0..<(1 + random(4)) {
            guard !bytes.isEmpty else { break }
            switch random(8) {
            case 0: let i = random(bytes.count); bytes[i] ^= UInt8(1 << random(8))
            case 1: let i = random(bytes.count); bytes[i] = [0, 0xFF, 0x7F, 0x80, 1][random(5)]
            case 2: bytes = Array(bytes.prefix(random(bytes.count)))
            case 3: let i = random(bytes.count); bytes.insert(contentsOf: (0..<(1 + random(8))).map { _ in UInt8(random(256)) }, at: i)
            case 4: let i = random(bytes.count), n = min(1 + random(16), bytes.count - i); bytes.removeSubrange(i..<(i + n))
            case 5:
                let other = [UInt8](seeds[random(seeds.count)])
                let i = random(bytes.count), j = random(other.count), n = min(random(64), other.count - j)
                bytes.replaceSubrange(i..<min(bytes.count, i + n), with: other[j..<(j + n)])
            case 6:
                // Make a varint-looking byte larger: lengths and dims are varints.
                let i = random(bytes.count); if bytes[i] & 0x80 == 0 { bytes[i] |= 0x80 }
            default:
                let i = random(bytes.count), n = min(1 + random(4), bytes.count - i)
                for k in i..<(i + n) { bytes[k] = UInt8(random(256)) }
            }
        }
        return Data(bytes)
    }

    func attempt(_ data: Data) {
        FileManager.default.createFile(atPath: current, contents: data)
        guard let model = try? ONNXReader.loadModel(path: current) else { return }
        guard let session = try? InferenceSession(model: model) else { return }
        var feeds: [String: Tensor] = [:]
        for input in session.inputs {
            guard let type = input.type, let dims = type.shape?.map({ $0.value ?? 1 }), dims.allSatisfy({ $0 >= 0 }),
                  dims.reduce(1, { $0.multipliedReportingOverflow(by: max($1, 1)).partialValue }) < 1 << 20 else { return }
            feeds[input.name] = Tensor(dataType: type.dataType, shape: dims)
        }
        _ = try? session.run(feeds)
    }

}

@main
struct FerryFuzz: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ferry-fuzz", abstract: "Mutation-fuzz the ONNX reader, the session builder and a run.")

    @Option(help: "How long to fuzz.")
    var seconds: Double = 60
    @Option(help: "Where the current input is written (it stays behind after a crash).")
    var out = "build/fuzz"
    @Option(help: "The generator's seed.")
    var seed: UInt64 = 1
    @Argument(help: "Seed models.")
    var paths: [String]

    func run() throws {
        let seeds = paths.compactMap { try? Data(contentsOf: URL(fileURLWithPath: $0)) }
        guard !seeds.isEmpty else { throw ValidationError("none of the seed models could be read") }
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        let fuzzer = Fuzzer(seed: seed, seeds: seeds, current: "\(out)/current.onnx")
        let start = Date()
        var runs = 0
        while Date().timeIntervalSince(start) < seconds {
            fuzzer.attempt(fuzzer.mutate(seeds[fuzzer.random(seeds.count)]))
            runs += 1
        }
        try? FileManager.default.removeItem(atPath: fuzzer.current)
        print("ferry-fuzz: \(runs) inputs in \(Int(seconds)) s, no crash")
    }
}
