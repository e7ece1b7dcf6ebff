import FerryIR
import Foundation

/// Reads an NCNN `.param`/`.bin` pair into the IR, so the reference core can run what was
/// written and `ferry inspect` can list it.
///
/// Each NCNN blob becomes a value of shape `[1] + blob shape` (NCHW with batch 1): NCNN axis
/// `a` is IR axis `a + 1`. Graph inputs are the Input layers' blobs; graph outputs are the
/// blobs no layer reads, in the order they are written. int8 layers become the float
/// computation NCNN does: the input clipped to ±127 steps and rounded, int8 weights dequantized.
public enum NCNNImporter {
    /// The opset the imported graph is written against (Gelu, Reduce* with axes inputs).
    static let opset = 20

    public static func importModel(param: [UInt8], bin: [UInt8], paramFile: String = "model.param", binFile: String = "model.bin") throws -> Model {
        guard let text = String(bytes: param, encoding: .utf8) else {
            throw NCNNImportError.malformedParam(file: paramFile, line: 1, "the file is not UTF-8 text")
        }
        let file = try NCNNParamFile.parse(text, file: paramFile)
        return try importModel(file, bin: bin, paramFile: paramFile, binFile: binFile)
    }

    /// Reads `path` (a `.param`) and the `.bin` beside it.
    public static func importModel(paramPath path: String) throws -> Model {
        let url = URL(fileURLWithPath: path)
        let binURL = url.deletingPathExtension().appendingPathExtension("bin")
        let param = try Data(contentsOf: url)
        let bin = (try? Data(contentsOf: binURL)) ?? Data()
        return try importModel(param: Array(param), bin: Array(bin), paramFile: path, binFile: binURL.path)
    }

    public static func importModel(_ file: NCNNParamFile, bin: [UInt8], paramFile: String = "model.param", binFile: String = "model.bin") throws -> Model {
        let builder = NCNNGraphBuilder(paramFile: paramFile, weights: NCNNWeightReader(bytes: bin, file: binFile))
        for layer in file.layers {
            for input in layer.inputs where builder.ranks[input] == nil {
                throw NCNNImportError.undefinedBlob(file: paramFile, layer: layer.name, blob: input)
            }
            guard let handler = NCNNLayerImports.table[layer.type] else {
                throw NCNNImportError.unknownLayer(file: paramFile, layer: layer.name, type: layer.type)
            }
            try handler(builder, layer)
        }
        if builder.weights.remaining > 0 { throw NCNNImportError.trailingWeights(file: binFile, bytes: builder.weights.remaining) }
        var read = Set<String>()
        for layer in file.layers { read.formUnion(layer.inputs) }
        let outputs = file.blobNames.filter { !read.contains($0) && !builder.inputNames.contains($0) }
        let graph = Graph(name: "ncnn", nodes: builder.nodes,
                          inputs: builder.inputNames.map {
                              ValueInfo(name: $0, type: ValueType(dataType: builder.int32Inputs.contains($0) ? .int32 : .float32, dims: [1] + builder.shapes[$0]!))
                          },
                          outputs: outputs.map { ValueInfo(name: $0, type: nil) },
                          initializers: builder.initializers, initializerOrder: builder.initializerOrder)
        return Model(graph: graph, opsets: ["": opset], producerName: "ncnn")
    }
}

/// The IR under construction, with the NCNN rank of every blob (the IR rank is one more).
final class NCNNGraphBuilder {
    let paramFile: String
    var weights: NCNNWeightReader
    var nodes: [Node] = []
    var initializers: [String: Tensor] = [:]
    var initializerOrder: [String] = []
    var ranks: [String: Int] = [:]
    /// Shapes of Input blobs (the graph inputs).
    var shapes: [String: [Int]] = [:]
    var inputNames: [String] = []
    /// Input blobs Embed layers read as int32 ids.
    var int32Inputs = Set<String>()
    private var counter = 0

    init(paramFile: String, weights: NCNNWeightReader) {
        self.paramFile = paramFile
        self.weights = weights
    }

    /// A fresh value name for an intermediate of `layer`.
    func fresh(_ layer: NCNNLayer, _ what: String) -> String {
        counter += 1
        return "\(layer.name)/\(what)_\(counter)"
    }

    func constant(_ layer: NCNNLayer, _ what: String, _ tensor: Tensor) -> String {
        let name = fresh(layer, what)
        initializers[name] = tensor
        initializerOrder.append(name)
        return name
    }

    func node(_ layer: NCNNLayer, _ op: String, _ inputs: [String], _ outputs: [String], _ attributes: [String: Attribute] = [:]) {
        nodes.append(Node(name: "\(layer.name)/\(op)_\(nodes.count)", opType: op, inputs: inputs, outputs: outputs, attributes: attributes))
    }

    /// Applies `op` to `input`, writing a fresh value (or `output`), and returns its name.
    @discardableResult
    func apply(_ layer: NCNNLayer, _ op: String, _ inputs: [String], output: String? = nil, _ attributes: [String: Attribute] = [:]) -> String {
        let name = output ?? fresh(layer, op)
        node(layer, op, inputs, [name], attributes)
        return name
    }

    func int64s(_ layer: NCNNLayer, _ what: String, _ values: [Int]) -> String {
        constant(layer, what, Tensor(shape: [values.count], values: values.map { Int64($0) }))
    }

    func scalar(_ layer: NCNNLayer, _ value: Float) -> String {
        constant(layer, "scalar", Tensor(scalar: value))
    }

    func unsupported(_ layer: NCNNLayer, _ reason: String) -> NCNNImportError {
        .unsupportedLayer(file: paramFile, layer: layer.name, type: layer.type, reason: reason)
    }

    func rank(_ blob: String) -> Int { ranks[blob] ?? 0 }

    /// Reshape to `[1] + shape`.
    func reshape(_ layer: NCNNLayer, _ input: String, to shape: [Int], output: String? = nil) -> String {
        apply(layer, "Reshape", [input, int64s(layer, "shape", [1] + shape)], output: output)
    }

    /// The fused activation of Convolution/InnerProduct (`activation_type`, `activation_params`).
    func activation(_ layer: NCNNLayer, _ input: String, output: String) throws {
        let params = layer.params[10]?.floatArray ?? []
        switch layer.int(9, 0) {
        case 0: apply(layer, "Identity", [input], output: output)
        case 1: apply(layer, "Relu", [input], output: output)
        case 2: apply(layer, "LeakyRelu", [input], output: output, ["alpha": .float(params.first ?? 0)])
        case 3:
            guard params.count == 2 else { throw unsupported(layer, "clip activation without min and max") }
            apply(layer, "Clip", [input, scalar(layer, params[0]), scalar(layer, params[1])], output: output)
        case 4: apply(layer, "Sigmoid", [input], output: output)
        case 6:
            let (alpha, beta) = params.count == 2 ? (params[0], params[1]) : (0.2, 0.5)
            let gate = apply(layer, "HardSigmoid", [input], ["alpha": .float(alpha), "beta": .float(beta)])
            apply(layer, "Mul", [input, gate], output: output)
        default: throw unsupported(layer, "activation_type \(layer.int(9, 0))")
        }
    }

    /// NCNN's int8 input step: x clipped to ±127/scale, rounded to the grid of 1/scale.
    func quantizedInput(_ layer: NCNNLayer, _ input: String, scale: Float) -> String {
        let step = 1 / scale
        let clipped = apply(layer, "Clip", [input, scalar(layer, -127 * step), scalar(layer, 127 * step)])
        let s = scalar(layer, step)
        let zero = constant(layer, "zero_point", Tensor(scalar: Int8(0)))
        let q = apply(layer, "QuantizeLinear", [clipped, s, zero])
        return apply(layer, "DequantizeLinear", [q, s, zero])
    }

    /// int8 weights with per-channel NCNN scales, dequantized along `axis`.
    func dequantizedWeight(_ layer: NCNNLayer, _ values: [Int8], shape: [Int], ncnnScales: [Float], axis: Int) -> String {
        let q = constant(layer, "weight_int8", Tensor(shape: shape, values: values))
        let s = constant(layer, "weight_scale", Tensor(shape: [ncnnScales.count], values: ncnnScales.map { $0 != 0 ? 1 / $0 : 0 }))
        let zero = constant(layer, "weight_zero_point", Tensor(shape: [ncnnScales.count], values: ncnnScales.map { _ in Int8(0) }))
        return apply(layer, "DequantizeLinear", [q, s, zero], ["axis": .int(axis)])
    }
}
