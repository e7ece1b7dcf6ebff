import FerryIR

/// A one-channel probe image run through a resize node in the reference core, to compare with
/// what a target layer computes: a ramp of distinct integers for nearest (so a different pixel
/// shows), otherwise fixed pseudo-random values in [-1, 1]. The NCNN and Core ML writers keep a
/// candidate layer only if it gives what the source node gives here.
public struct ResizeProbe: Sendable {
    public let height: Int
    public let width: Int
    public let exact: Bool
    public let values: [Float]

    public init(height: Int, width: Int, exact: Bool) {
        self.height = height
        self.width = width
        self.exact = exact
        let count = height * width
        values = exact ? (0..<count).map { Float($0) } : (0..<count).map { Float(($0 &* 2654435761) % 2001) / 1000 - 1 }
    }

    /// The node's output for the probe (sizes given for every axis are read for one channel);
    /// `constants` holds its constant inputs by name.
    public func run(_ node: Node, constants: [String: Tensor], opset: Int, outHeight: Int, outWidth: Int) throws(LoweringError) -> [Float] {
        var initializers: [String: Tensor] = [:]
        for (index, name) in node.inputs.enumerated() where index > 0 && !name.isEmpty {
            guard var tensor = constants[name] else { throw .notConstant(input: name) }
            if node.opType == "Resize" && index == 3 && tensor.count == 4 {
                tensor = Tensor(shape: [4], values: [Int64(1), 1, Int64(outHeight), Int64(outWidth)])
            }
            initializers[name] = tensor
        }
        var inputs = node.inputs
        inputs[0] = "probe"
        let graph = Graph(name: "probe", nodes: [Node(name: node.name, opType: node.opType, domain: node.domain, inputs: inputs,
                                                      outputs: ["probe_out"], attributes: node.attributes)],
                          inputs: [ValueInfo(name: "probe", type: ValueType(dataType: .float32, dims: [1, 1, height, width]))],
                          outputs: [ValueInfo(name: "probe_out", type: nil)], initializers: initializers)
        let out: Tensor
        do {
            out = try InferenceSession(model: Model(graph: graph, opsets: ["": opset])).run(["probe": Tensor(shape: [1, 1, height, width], values: values)])[0]
        } catch {
            throw .notRunnable("\(error)")
        }
        guard out.shape == [1, 1, outHeight, outWidth] else { throw .unexpectedShape(actual: out.shape, expected: [1, 1, outHeight, outWidth]) }
        return out.elements(as: Float.self)
    }

    /// Whether `actual` is `expected`: exactly for nearest, within float32 rounding otherwise.
    public func matches(_ actual: [Float], _ expected: [Float]) -> Bool {
        guard actual.count == expected.count else { return false }
        return zip(actual, expected).allSatisfy { exact ? $0 == $1 : abs($0 - $1) <= 1e-5 }
    }
}
