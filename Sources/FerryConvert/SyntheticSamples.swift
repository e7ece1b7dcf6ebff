import FerryIR
import TensorIO

/// Seeded stand-in inputs for verifying a conversion when the user gave no data: floats
/// uniform in [0, 1), integers 0, dynamic dims as `--input-shape` fixed them, else 1. They show that the result computes what the
/// source computes on *some* inputs; real data is needed for drift that means anything.
enum SyntheticSamples {
    static func make(for model: Model, fixing shapes: [String: [Int]] = [:], count: Int = 4) -> SampleSet {
        var state: UInt64 = 0x5EED
        func next() -> Float {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Float(state >> 40) / Float(1 << 24)
        }
        var samples: [[String: Tensor]] = []
        for _ in 0..<count {
            var feed: [String: Tensor] = [:]
            for input in model.graph.runtimeInputs {
                guard let type = input.type, let dims = type.shape else { return SampleSet(samples: []) }
                let shape = shapes[input.name] ?? dims.map { $0.value ?? 1 }
                let n = shape.reduce(1, *)
                switch type.dataType {
                case .float32: feed[input.name] = Tensor(shape: shape, values: (0..<n).map { _ in next() })
                case .float16: feed[input.name] = Tensor(shape: shape, values: (0..<n).map { _ in Float16(next()) })
                default: feed[input.name] = Tensor(dataType: type.dataType, shape: shape)
                }
            }
            samples.append(feed)
        }
        return SampleSet(samples: samples)
    }
}
