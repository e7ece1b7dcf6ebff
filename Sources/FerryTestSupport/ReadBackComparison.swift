import FerryIR
import FerryRuntime

extension ModelComparison {
    /// How far `rewritten` (a writer's file read back) is from `original` on `feeds`: the largest
    /// absolute difference over the float32 outputs, paired in order (infinite when a pair
    /// differs in element count or an output is missing), and whether every pair has one shape.
    public static func largestDifference(original: Model, rewritten: Model, feeds: [String: Tensor]) throws
        -> (largest: Float, shapesMatch: Bool) {
        let expected = try InferenceSession(model: original).run(feeds)
        let actual = try InferenceSession(model: rewritten).run(feeds)
        guard actual.count == expected.count else { return (.infinity, false) }
        var largest: Float = 0
        for (a, e) in zip(actual, expected) where a.dataType == .float32 && e.dataType == .float32 {
            guard a.count == e.count else { return (.infinity, false) }
            largest = max(largest, zip(a.elements(as: Float.self), e.elements(as: Float.self)).map { abs($0 - $1) }.max() ?? 0)
        }
        return (largest, zip(actual, expected).allSatisfy { $0.shape == $1.shape })
    }
}

/// One-node models the writers' tests share.
public enum TestModels {
    /// A Resize of a 1×2×`height`×`width` float input by constant `scales` or `sizes` (opset 13).
    public static func resize(_ attributes: [String: Attribute], height: Int = 4, width: Int = 5, scales: [Float]? = nil,
                              sizes: [Int]? = nil) -> Model {
        var initializers: [String: Tensor] = ["roi": Tensor(shape: [0], values: [Float]())]
        var inputs = ["x", "roi"]
        if let scales {
            initializers["scales"] = Tensor(shape: [4], values: scales)
            inputs.append("scales")
        } else if let sizes {
            initializers["sizes"] = Tensor(shape: [4], values: sizes.map { Int64($0) })
            inputs += ["", "sizes"]
        }
        let graph = Graph(name: "resize", nodes: [Node(name: "up", opType: "Resize", inputs: inputs, outputs: ["y"], attributes: attributes)],
                          inputs: [ValueInfo(name: "x", type: ValueType(dataType: .float32, dims: [1, 2, height, width]))],
                          outputs: [ValueInfo(name: "y", type: nil)], initializers: initializers)
        return Model(graph: graph, opsets: ["": 13])
    }
}
