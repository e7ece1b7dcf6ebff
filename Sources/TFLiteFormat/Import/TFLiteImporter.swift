import FerryIR

/// Why a TFLite model could not become an IR graph; names the operator at fault.
public enum TFLiteImportError: Error, Sendable, CustomStringConvertible {
    case unsupportedOp(index: Int, op: String, reason: String)
    case invalidTensor(name: String, reason: String)

    public var description: String {
        switch self {
        case .unsupportedOp(let index, let op, let reason): return "operator \(index) (\(op)): \(reason)"
        case .invalidTensor(let name, let reason): return "tensor '\(name)': \(reason)"
        }
    }
}

/// Turns a TFLite model into an IR model (opset 17) that Ferry's reference core runs.
///
/// TFLite's NHWC builtins become their ONNX ops between Transposes (NHWC → NCHW and back), so
/// the imported graph keeps TFLite's tensors, layout and names at its inputs and outputs.
public enum TFLiteImporter {
    public static let opset = 17

    /// Reads and imports a .tflite file's bytes.
    public static func importModel(bytes: [UInt8]) throws -> Model {
        try importModel(try TFLiteReader.read(bytes))
    }

    public static func importModel(_ tflite: TFLiteModel) throws -> Model {
        guard let subgraph = tflite.subgraphs.first else { throw TFLiteImportError.invalidTensor(name: "", reason: "the model has no subgraph") }
        let builder = try ImportBuilder(model: tflite, subgraph: subgraph)
        for (index, op) in subgraph.operators.enumerated() {
            try builder.lower(index: index, op)
        }
        var graph = Graph(name: subgraph.name, nodes: builder.nodes,
                          inputs: subgraph.inputs.map { builder.info(Int($0)) },
                          outputs: subgraph.outputs.map { builder.info(Int($0)) },
                          initializers: builder.initializers, initializerOrder: builder.initializerOrder)
        graph.docString = tflite.description
        var metadata: [String: String] = [:]
        for entry in tflite.metadata {
            let data = tflite.buffers[Int(entry.buffer)].data
            if let text = String(validating: data.prefix { $0 != 0 }, as: UTF8.self) { metadata[entry.name] = text }
        }
        return Model(graph: graph, opsets: ["": opset], producerName: "tflite", metadata: metadata)
    }
}

/// Import state: IR names of the TFLite tensors, constants, and the nodes made so far.
final class ImportBuilder {
    let model: TFLiteModel
    let subgraph: TFLiteSubgraph
    /// IR name of each TFLite tensor; while a quantized operator is imported, its quantized
    /// inputs and outputs point at their float (dequantized) stand-ins.
    var names: [String] = []
    /// Quantization parameters of every quantized tensor, by tensor index.
    var quantizations: [Int: TFLiteQuantization] = [:]
    /// Cached float stand-ins of quantized tensors (DequantizeLinear outputs or dequantized constants).
    var dequantized: [Int: String] = [:]
    var nodes: [Node] = []
    var initializers: [String: Tensor] = [:]
    var initializerOrder: [String] = []
    private var used: Set<String> = []
    private var counter = 0

    init(model: TFLiteModel, subgraph: TFLiteSubgraph) throws {
        self.model = model
        self.subgraph = subgraph
        for (index, tensor) in subgraph.tensors.enumerated() {
            var name = tensor.name.isEmpty ? "tensor_\(index)" : tensor.name
            if used.contains(name) { name = "\(name)#\(index)" }
            used.insert(name)
            names.append(name)
            if let q = tensor.quantization, !q.scale.isEmpty {
                guard q.zeroPoint.count == q.scale.count || q.zeroPoint.isEmpty, q.scale.count == 1 ||
                      (Int(q.quantizedDimension) < tensor.shape.count && Int(tensor.shape[Int(q.quantizedDimension)]) == q.scale.count) else {
                    throw TFLiteImportError.invalidTensor(name: name, reason: "\(q.scale.count) scales and \(q.zeroPoint.count) zero points do not fit shape \(tensor.shape) along dimension \(q.quantizedDimension)")
                }
                if [.int8, .int16, .int32, .int64, .uint8].contains(tensor.type.dataType ?? .float32) { quantizations[index] = q }
            }
            let data = model.buffers[Int(tensor.buffer)].data
            guard !data.isEmpty else { continue }
            guard let type = tensor.type.dataType, type != .string else {
                throw TFLiteImportError.invalidTensor(name: name, reason: "type \(tensor.type) has no IR form")
            }
            let shape = tensor.shape.map { Int($0) }
            let (count, overflow) = shape.reduce((1, false)) { acc, dim in
                let (product, o) = acc.0.multipliedReportingOverflow(by: dim)
                return (product, acc.1 || o)
            }
            guard !overflow, count.multipliedReportingOverflow(by: type.byteSize).partialValue == data.count,
                  !count.multipliedReportingOverflow(by: type.byteSize).overflow else {
                throw TFLiteImportError.invalidTensor(name: name, reason: "\(data.count) data bytes for shape \(shape) of \(type)")
            }
            let value = Tensor(dataType: type, shape: shape)
            data.withUnsafeBytes { value.storage.bytes.copyMemory(from: $0.baseAddress!, byteCount: data.count) }
            initializers[name] = value
            initializerOrder.append(name)
        }
    }

    /// Graph input/output description of tensor `index`.
    func info(_ index: Int) -> ValueInfo {
        let tensor = subgraph.tensors[index]
        let signature = tensor.shapeSignature ?? tensor.shape
        let dims: [Dim] = zip(tensor.shape, signature.count == tensor.shape.count ? signature : tensor.shape).map { dim, sig in
            sig < 0 ? .unknown : .fixed(Int(dim))
        }
        return ValueInfo(name: names[index], type: tensor.type.dataType.map { ValueType(dataType: $0, shape: dims) })
    }

    /// The static shape of tensor `index`; with `rank`, an error unless it has that rank.
    func shape(_ index: Int32, rank: Int? = nil) throws -> [Int] {
        guard index >= 0 else { throw TFLiteImportError.invalidTensor(name: "", reason: "an absent optional tensor is used") }
        let shape = subgraph.tensors[Int(index)].shape.map { Int($0) }
        if let rank, shape.count != rank {
            throw TFLiteImportError.invalidTensor(name: names[Int(index)], reason: "rank \(shape.count) where \(rank) is needed")
        }
        return shape
    }

    func constant(_ index: Int32) -> Tensor? { index >= 0 ? initializers[names[Int(index)]] : nil }

    func name(_ index: Int32) -> String { index >= 0 ? names[Int(index)] : "" }

    /// A fresh IR name for an intermediate value.
    func fresh(_ hint: String) -> String {
        counter += 1
        var candidate = "\(hint)/\(counter)"
        while used.contains(candidate) { counter += 1; candidate = "\(hint)/\(counter)" }
        used.insert(candidate)
        return candidate
    }

    /// Adds a constant and returns its name.
    func addConstant(_ tensor: Tensor, hint: String) -> String {
        let name = fresh(hint)
        initializers[name] = tensor
        initializerOrder.append(name)
        return name
    }

    func int64s(_ values: [Int], hint: String) -> String {
        addConstant(Tensor(shape: [values.count], values: values.map { Int64($0) }), hint: hint)
    }

    @discardableResult
    func node(_ op: String, _ inputs: [String], _ outputs: [String], _ attributes: [String: Attribute] = [:]) -> [String] {
        nodes.append(Node(name: fresh(outputs.first ?? op), opType: op, inputs: inputs, outputs: outputs, attributes: attributes))
        return outputs
    }

    /// `input` transposed by `perm` into a new value.
    func transpose(_ input: String, _ perm: [Int]) -> String {
        node("Transpose", [input], [fresh("\(input)/transposed")], ["perm": .ints(perm)])[0]
    }

    /// Applies a fused activation to `value`, writing `output`.
    func activation(_ activation: TFLiteActivation, _ value: String, into output: String, index: Int, op: String) throws {
        switch activation {
        case .none: node("Identity", [value], [output])
        case .relu: node("Relu", [value], [output])
        case .relu6: clip(value, 0, 6, output)
        case .reluN1To1: clip(value, -1, 1, output)
        case .tanh: node("Tanh", [value], [output])
        case .signBit: throw TFLiteImportError.unsupportedOp(index: index, op: op, reason: "SIGN_BIT activation")
        }
    }

    func clip(_ value: String, _ low: Float, _ high: Float, _ output: String) {
        let lo = addConstant(Tensor(scalar: low), hint: "clip_min"), hi = addConstant(Tensor(scalar: high), hint: "clip_max")
        node("Clip", [value, lo, hi], [output])
    }
}
