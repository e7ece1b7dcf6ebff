import FerryIR
import FerryRuntime
import Foundation

/// Checks that a rewritten model computes what the original computes, on seeded random feeds.
public enum ModelComparison {
    /// nil when every output agrees within tolerance; otherwise which output differs and how.
    public static func mismatch(original: Model, rewritten: Model, feeds: [String: Tensor],
                                rtol: Double = 1e-5, atol: Double = 1e-5) throws -> String? {
        let expected = try InferenceSession(model: original).runNamed(feeds)
        let session = try InferenceSession(model: rewritten)
        let actual = try session.runNamed(feeds)
        for name in original.graph.outputs.map(\.name) {
            guard let a = actual[name] else { return "output '\(name)' is missing from the rewritten model" }
            if let problem = TensorComparison.mismatch(actual: a, expected: expected[name]!, rtol: rtol, atol: atol) {
                return "output '\(name)': \(problem)"
            }
        }
        return nil
    }

    /// Random feeds for every runtime input (floats uniform in [-1, 1); symbolic dims set to
    /// `symbolSize`), from a fixed seed so failures reproduce.
    public static func randomFeeds(for model: Model, seed: UInt64 = 42, symbolSize: Int = 2) -> [String: Tensor] {
        var generator = SplitMix64(seed: seed)
        var feeds: [String: Tensor] = [:]
        for input in model.graph.runtimeInputs {
            guard let type = input.type, let dims = type.shape else { continue }
            let shape = dims.map { $0.value ?? symbolSize }
            let count = shape.reduce(1, *)
            switch type.dataType {
            case .float32:
                feeds[input.name] = Tensor(shape: shape, values: (0..<count).map { _ in Float(generator.unit() * 2 - 1) })
            case .int64:
                feeds[input.name] = Tensor(shape: shape, values: (0..<count).map { _ in Int64(generator.next() % 4) })
            case .int32:
                feeds[input.name] = Tensor(shape: shape, values: (0..<count).map { _ in Int32(generator.next() % 4) })
            case .bool:
                feeds[input.name] = Tensor(shape: shape, values: (0..<count).map { _ in generator.next() % 2 == 0 })
            default:
                feeds[input.name] = Tensor(dataType: type.dataType, shape: shape)
            }
        }
        return feeds
    }

    /// The repository's fixtures folder (found from this source file's path).
    public static var fixturesDirectory: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("fixtures")
    }
}

/// A small, seedable generator (SplitMix64) for reproducible test data.
public struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64
    public init(seed: UInt64) { state = seed }
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    /// Uniform in [0, 1).
    public mutating func unit() -> Double { Double(next() >> 11) / Double(1 << 53) }
}
