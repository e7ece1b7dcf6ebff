import FerryIR
import FerryPasses
import FerryRuntime
import Foundation
import ONNXFormat
import TensorIO

/// The committed fixtures and their data, as the NCNN tests use them.
enum NCNNFixtures {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Fixtures NCNN cannot take, with the op and node that the refusal must name.
    static let refused: [String: (op: String, node: String)] = [
        "sklearn_mlp": ("ArgMax", "ArgMax"),
    ]

    static var names: [String] {
        let folder = root.appendingPathComponent("fixtures")
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return entries.filter { FileManager.default.fileExists(atPath: folder.appendingPathComponent("\($0)/model.onnx").path) }.sorted()
    }

    static func model(_ name: String) throws -> Model {
        try ONNXReader.loadModel(path: root.appendingPathComponent("fixtures/\(name)/model.onnx").path)
    }

    /// The model as `ferry convert` hands it to a target writer: after the standard passes.
    static func optimized(_ name: String) throws -> Model {
        try PassPipeline.standard(fuseActivations: false).run(try model(name)).0
    }

    static func samples(_ name: String, _ file: String = "eval.npz", limit: Int = 8) throws -> [[String: Tensor]] {
        let source = try model(name)
        let set = try SampleSet.load(specs: [root.appendingPathComponent("fixtures/\(name)/\(file)").path], inputs: source.graph.runtimeInputs)
        return Array(set.samples.prefix(limit))
    }
}

/// Cosine similarity and largest difference relative to the reference's range.
struct Agreement {
    var cosine: Double
    var relativeMaxError: Double

    init(_ actual: Tensor, _ expected: Tensor) {
        let a = actual.doubles(), e = expected.doubles()
        var dot = 0.0, na = 0.0, ne = 0.0, worst = 0.0
        for (x, y) in zip(a, e) {
            dot += x * y; na += x * x; ne += y * y
            worst = max(worst, abs(x - y))
        }
        cosine = na > 0 && ne > 0 ? dot / (na.squareRoot() * ne.squareRoot()) : (na == ne ? 1 : 0)
        let range = (e.max() ?? 0) - (e.min() ?? 0)
        relativeMaxError = worst / max(range, 1e-12)
    }
}

/// Runs `original` and `candidate` on `samples` and returns the worst agreement of each output.
func compare(_ original: Model, _ candidate: Model, samples: [[String: Tensor]]) throws -> [String: Agreement] {
    let reference = try InferenceSession(model: original), other = try InferenceSession(model: candidate)
    var worst: [String: Agreement] = [:]
    for feeds in samples {
        let expected = try reference.runNamed(feeds), actual = try other.runNamed(feeds)
        for output in original.graph.outputs.map(\.name) {
            guard let a = actual[output], let e = expected[output] else { continue }
            let agreement = Agreement(a, e)
            if let w = worst[output], w.cosine <= agreement.cosine && w.relativeMaxError >= agreement.relativeMaxError { continue }
            let previous = worst[output]
            worst[output] = Agreement(cosine: min(previous?.cosine ?? 1, agreement.cosine),
                                      relativeMaxError: max(previous?.relativeMaxError ?? 0, agreement.relativeMaxError))
        }
    }
    return worst
}

extension Agreement {
    init(cosine: Double, relativeMaxError: Double) {
        self.cosine = cosine
        self.relativeMaxError = relativeMaxError
    }
}
