import FerryIR

/// Where an exported IR value lives: a TFLite tensor holding `transpose(source, perm)`.
struct StoredValue {
    var tensor: Int32
    var perm: [Int]
}

/// The state of one export: the TFLite model being built and where every IR value went.
///
/// Lowerings (one file per op family) read IR values through `tensor(_:perm:)`, which inserts a
/// TRANSPOSE only when a consumer needs a layout the value is not stored in; constants are
/// transposed once, at export time.
final class TFLiteEmitter {
    /// The first version of each builtin that takes int16 activations (TFLite's op_version.cc),
    /// for 16×8 models.
    static let int16Versions: [TFLiteBuiltinOperator: Int32] = [
        .conv2D: 4, .depthwiseConv2D: 5, .fullyConnected: 7, .add: 3, .sub: 3, .mul: 4,
        .averagePool2D: 3, .maxPool2D: 3, .mean: 3, .concatenation: 3, .quantize: 3, .dequantize: 3,
        .softmax: 3, .logistic: 3, .tanh: 3, .pad: 4, .padV2: 4, .mirrorPad: 3, .reshape: 1, .transpose: 5,
        .leakyRelu: 2, .relu: 3, .relu6: 3, .resizeBilinear: 4, .resizeNearestNeighbor: 4,
        .gather: 5, .slice: 5, .stridedSlice: 5, .split: 4, .squeeze: 1,
    ]

    let graph: Graph
    let opset: Int
    private(set) var model = TFLiteModel()
    var subgraph = TFLiteSubgraph()
    private var opcodes: [TFLiteOperatorCode: UInt32] = [:]
    private var names: Set<String> = []
    /// Constant tensors already written, by their exact content: a repeated constant (a
    /// transpose permutation, a shape, a zero bias) reuses the first tensor and its buffer.
    private var writtenConstants: [ConstantKey: Int32] = [:]

    struct ConstantKey: Hashable {
        var type: DataType
        var shape: [Int]
        var bytes: [UInt8]
        var quantization: TFLiteQuantization?
    }

    /// Constant tensors: initializers and everything folded from them.
    var constants: [String: Tensor]
    /// Static source-layout shape and element type of every value.
    var shapes: [String: [Int]]
    var types: [String: DataType]
    private(set) var values: [String: StoredValue] = [:]
    private var views: [String: Int32] = [:]
    /// Which remaining nodes read each value, and the graph outputs.
    let consumers: [String: [Int]]
    let graphOutputs: Set<String>
    /// Nodes already lowered as part of an earlier node (fused activations, folded BatchNorm…).
    var absorbed: Set<Int> = []
    /// Parameters of every value stored quantized (see QDQFolding), in source layout.
    var quantization: [String: ValueQuantization] = [:]
    /// Integers behind float constants the source dequantizes (int8 weights, int32 biases).
    var quantizedConstants: [String: QuantizedConstant] = [:]
    /// Store float32 constants that float16 holds exactly as float16 behind a DEQUANTIZE.
    var float16Constants = false

    init(graph: Graph, opset: Int, constants: [String: Tensor], shapes: [String: [Int]], types: [String: DataType]) {
        self.graph = graph
        self.opset = opset
        self.constants = constants
        self.shapes = shapes
        self.types = types
        var consumers: [String: [Int]] = [:]
        for (index, node) in graph.nodes.enumerated() {
            for input in Set(node.inputs) where !input.isEmpty { consumers[input, default: []].append(index) }
        }
        self.consumers = consumers
        graphOutputs = Set(graph.outputs.map(\.name))
    }

    // MARK: tensors and operators

    private func uniqueName(_ name: String) -> String {
        var candidate = name
        var suffix = 1
        while names.contains(candidate) {
            candidate = "\(name)_\(suffix)"
            suffix += 1
        }
        names.insert(candidate)
        return candidate
    }

    func addTensor(name: String, shape: [Int], type: DataType, buffer: UInt32 = 0, quantization: TFLiteQuantization? = nil) throws -> Int32 {
        guard let tfliteType = TFLiteTensorType(type), type != .string else {
            throw TFLiteExportError.unsupportedType(value: name, type: type)
        }
        subgraph.tensors.append(TFLiteTensor(shape: shape.map { Int32($0) }, type: tfliteType, buffer: buffer, name: uniqueName(name),
                                             quantization: quantization))
        return Int32(subgraph.tensors.count - 1)
    }

    /// TFLite parameters of IR value `name` stored in layout `perm` (nil when it is not quantized).
    func quantization(of name: String, perm: [Int], offset: Int = 0) -> TFLiteQuantization? {
        quantization[name]?.tflite(perm: perm, offset: offset)
    }

    func rename(tensor: Int32, to name: String) {
        names.remove(subgraph.tensors[Int(tensor)].name)
        subgraph.tensors[Int(tensor)].name = uniqueName(name)
    }

    /// A constant tensor with its own buffer. With `float16Constants`, a float32 constant that
    /// float16 holds exactly is stored as float16 and read through a DEQUANTIZE (TFLite's form
    /// of float16 weights).
    func constant(_ tensor: Tensor, name: String, quantization: TFLiteQuantization? = nil) throws -> Int32 {
        guard TFLiteTensorType(tensor.dataType) != nil, tensor.dataType != .string else {
            throw TFLiteExportError.unsupportedType(value: name, type: tensor.dataType)
        }
        // Constants carry short names, as the TF converter's do (names are a large part of a
        // small model's file): the source initializer's name when short, else const_N.
        let name = graph.initializers[name] != nil && name.utf8.count <= 40 ? name : "const_\(model.buffers.count)"
        if float16Constants, tensor.dataType == .float32, tensor.count >= 2, let half = exactFloat16(tensor) {
            let stored = try constant(half, name: "\(name)/float16")
            let output = try addTensor(name: name, shape: tensor.shape, type: .float32)
            emit(.dequantize, version: 3, inputs: [stored], outputs: [output], options: .empty(.dequantize))
            return output
        }
        let bytes = Array(UnsafeRawBufferPointer(start: tensor.storage.bytes, count: tensor.byteCount))
        let key = ConstantKey(type: tensor.dataType, shape: tensor.shape, bytes: bytes, quantization: quantization)
        if let known = writtenConstants[key] { return known }
        model.buffers.append(TFLiteBuffer(data: bytes))
        let index = try addTensor(name: name, shape: tensor.shape, type: tensor.dataType, buffer: UInt32(model.buffers.count - 1),
                                  quantization: quantization)
        writtenConstants[key] = index
        return index
    }

    /// `tensor` as float16 when every element converts exactly, else nil.
    private func exactFloat16(_ tensor: Tensor) -> Tensor? {
        let values = tensor.elements(as: Float.self)
        var half = [Float16]()
        half.reserveCapacity(values.count)
        for value in values {
            let h = Float16(value)
            guard Float(h) == value || (value.isNaN && h.isNaN) else { return nil }
            half.append(h)
        }
        return Tensor(shape: tensor.shape, values: half)
    }

    func int32Constant(_ values: [Int], shape: [Int]? = nil, name: String) throws -> Int32 {
        try constant(Tensor(shape: shape ?? [values.count], values: values.map { Int32($0) }), name: name)
    }

    func floatConstant(_ values: [Float], shape: [Int], name: String) throws -> Int32 {
        try constant(Tensor(shape: shape, values: values), name: name)
    }

    func emit(_ op: TFLiteBuiltinOperator, version: Int32 = 1, inputs: [Int32], outputs: [Int32], options: TFLiteOptions = .none) {
        var version = version, options = options
        // 16×8: int16 activations need the op versions TFLite gives them, and ADD/SUB its
        // general-scale int16 kernel.
        if let first = inputs.first, first >= 0, Int(first) < subgraph.tensors.count, subgraph.tensors[Int(first)].type == .int16 {
            version = max(version, Self.int16Versions[op] ?? version)
            switch options {
            case .add(let activation, _): options = .add(activation: activation, potScaleInt16: false)
            case .sub(let activation, _): options = .sub(activation: activation, potScaleInt16: false)
            default: break
            }
        }
        let code = TFLiteOperatorCode(builtin: op, version: version)
        let index: UInt32
        if let known = opcodes[code] {
            index = known
        } else {
            index = UInt32(model.operatorCodes.count)
            model.operatorCodes.append(code)
            opcodes[code] = index
        }
        subgraph.operators.append(TFLiteOperator(opcodeIndex: index, inputs: inputs, outputs: outputs, options: options))
    }

    // MARK: IR values

    func isConstant(_ name: String) -> Bool { constants[name] != nil }

    func shape(_ name: String) throws -> [Int] {
        if let constant = constants[name] { return constant.shape }
        guard let shape = shapes[name] else { throw TFLiteExportError.dynamicShape(value: name) }
        return shape
    }

    func type(_ name: String) throws -> DataType {
        if let constant = constants[name] { return constant.dataType }
        guard let type = types[name] else { throw TFLiteExportError.dynamicShape(value: name) }
        return type
    }

    func rank(_ name: String) throws -> Int { try shape(name).count }

    /// The layout a runtime value is stored in (identity for constants, which fit any layout).
    func perm(_ name: String) throws -> [Int] {
        if let stored = values[name] { return stored.perm }
        return Permutation.identity(try rank(name))
    }

    func stored(_ name: String) -> StoredValue? { values[name] }

    var storedValues: [String: StoredValue] { values }

    /// Creates the tensor of IR value `name`, stored in layout `perm`.
    @discardableResult
    func define(_ name: String, perm: [Int]) throws -> Int32 {
        let shape = try shape(name)
        precondition(perm.count == shape.count, "layout \(perm) for '\(name)' of rank \(shape.count)")
        let tensor = try addTensor(name: name, shape: Permutation.apply(perm, to: shape), type: try type(name),
                                   quantization: quantization(of: name, perm: perm))
        values[name] = StoredValue(tensor: tensor, perm: perm)
        return tensor
    }

    /// Makes `name` refer to data already stored elsewhere (Identity, Transpose, Dropout).
    func alias(_ name: String, to value: StoredValue) {
        values[name] = value
    }

    /// The tensor holding `name` in layout `perm`, adding a TRANSPOSE (or RESHAPE when only
    /// size-1 axes move) the first time a layout is asked for.
    func tensor(_ name: String, perm wanted: [Int]) throws -> Int32 {
        let key = "\(name)\u{0}\(wanted)"
        if let view = views[key] { return view }
        let shape = try shape(name)
        if let constant = constants[name] {
            let tensor = try self.constant(transposed(constant, wanted), name: name, quantization: quantization(of: name, perm: wanted))
            views[key] = tensor
            return tensor
        }
        guard let stored = values[name] else { throw TFLiteExportError.preparation("value '\(name)' is used before it is defined") }
        if stored.perm == wanted { return stored.tensor }
        let between = Permutation.between(stored.perm, wanted)
        let storedShape = Permutation.apply(stored.perm, to: shape)
        let target = Permutation.apply(wanted, to: shape)
        let output = try addTensor(name: "\(name)/\(wanted.map(String.init).joined())", shape: target, type: try type(name),
                                   quantization: quantization(of: name, perm: wanted))
        if Permutation.isReshape(between, shape: storedShape) {
            let shapeTensor = try int32Constant(target, name: "\(name)/shape")
            emit(.reshape, inputs: [stored.tensor, shapeTensor], outputs: [output], options: .reshape(newShape: target.map { Int32($0) }))
        } else {
            let permTensor = try int32Constant(between, name: "\(name)/perm")
            emit(.transpose, inputs: [stored.tensor, permTensor], outputs: [output], options: .empty(.transpose))
        }
        views[key] = output
        return output
    }

    /// A tensor with `name`'s elements in source row-major order (any shape): what RESHAPE and
    /// FULLY_CONNECTED read. Avoids a transpose when only size-1 axes are out of place.
    func tensorInSourceOrder(_ name: String) throws -> Int32 {
        let identity = Permutation.identity(try rank(name))
        if let stored = values[name], Permutation.isReshape(Permutation.between(stored.perm, identity),
                                                           shape: Permutation.apply(stored.perm, to: try shape(name))) {
            return stored.tensor
        }
        return try tensor(name, perm: identity)
    }

    /// The tensor holding `name` broadcast-aligned to `rank` (size-1 axes in front, as ONNX
    /// broadcasting does) and stored in layout `perm` of that rank.
    func tensor(_ name: String, alignedTo rank: Int, perm: [Int]) throws -> Int32 {
        let shape = try shape(name)
        if shape.count == rank { return try tensor(name, perm: perm) }
        if let constant = constants[name] {
            let padded = constant.reshaped(Array(repeating: 1, count: rank - shape.count) + shape)
            let key = "\(name)\u{0}aligned\(perm)"
            if let view = views[key] { return view }
            let tensor = try self.constant(transposed(padded, perm), name: name,
                                           quantization: quantization(of: name, perm: perm, offset: rank - shape.count))
            views[key] = tensor
            return tensor
        }
        if Permutation.isIdentity(perm) { return try tensor(name, perm: Permutation.identity(shape.count)) }
        let key = "\(name)\u{0}aligned\(perm)"
        if let view = views[key] { return view }
        let padded = Array(repeating: 1, count: rank - shape.count) + shape
        let source = try tensorInSourceOrder(name)
        var current = source
        var currentShape = padded
        if !Permutation.isReshape(perm, shape: padded) {
            current = try addTensor(name: "\(name)/rank\(rank)", shape: padded, type: try type(name),
                                    quantization: quantization(of: name, perm: Permutation.identity(shape.count)))
            let shapeTensor = try int32Constant(padded, name: "\(name)/shape")
            emit(.reshape, inputs: [source, shapeTensor], outputs: [current], options: .reshape(newShape: padded.map { Int32($0) }))
            let permTensor = try int32Constant(perm, name: "\(name)/perm")
            currentShape = Permutation.apply(perm, to: padded)
            let output = try addTensor(name: "\(name)/aligned", shape: currentShape, type: try type(name),
                                       quantization: quantization(of: name, perm: Permutation.identity(shape.count)))
            emit(.transpose, inputs: [current, permTensor], outputs: [output], options: .empty(.transpose))
            views[key] = output
            return output
        }
        currentShape = Permutation.apply(perm, to: padded)
        let output = try addTensor(name: "\(name)/aligned", shape: currentShape, type: try type(name),
                                   quantization: quantization(of: name, perm: Permutation.identity(shape.count)))
        let shapeTensor = try int32Constant(currentShape, name: "\(name)/shape")
        emit(.reshape, inputs: [current, shapeTensor], outputs: [output], options: .reshape(newShape: currentShape.map { Int32($0) }))
        views[key] = output
        return output
    }

    // MARK: graph structure

    /// The single node reading `value` when nothing else (no other node, no graph output) does.
    func soleConsumer(of value: String) -> (index: Int, node: Node)? {
        guard !graphOutputs.contains(value), let readers = consumers[value], readers.count == 1,
              !absorbed.contains(readers[0]) else { return nil }
        return (readers[0], graph.nodes[readers[0]])
    }

    /// If `value` feeds only a Relu or a Clip TFLite can fuse, absorbs it: returns the fused
    /// activation and the name of the value the fused op now defines.
    func fuseActivation(after value: String) throws -> (activation: TFLiteActivation, output: String) {
        guard let (index, node) = soleConsumer(of: value), let activation = try fusableActivation(node) else {
            return (.none, value)
        }
        absorbed.insert(index)
        return (activation, node.outputs[0])
    }

    /// The fused-activation form of a Relu or Clip node, if it has one.
    func fusableActivation(_ node: Node) throws -> TFLiteActivation? {
        switch node.opType {
        case "Relu": return .relu
        case "Clip":
            let (low, high) = try clipBounds(node)
            switch (low, high) {
            case (0, 6): return .relu6
            case (0, Float.infinity): return .relu
            case (-1, 1): return .reluN1To1
            default: return nil
            }
        default: return nil
        }
    }

    /// Clip's bounds from its attributes (opset < 11) or constant inputs.
    func clipBounds(_ node: Node) throws -> (Float, Float) {
        if opset < 11 {
            return (try NodeAttributes(exporting: node).float("min") ?? -Float.infinity, try NodeAttributes(exporting: node).float("max") ?? Float.infinity)
        }
        func bound(_ index: Int, _ fallback: Float) throws -> Float {
            guard let name = node.input(index) else { return fallback }
            guard let constant = constants[name], constant.count == 1 else {
                throw TFLiteExportError.notConstant(node: node.label, op: node.opType, input: name)
            }
            return Float(constant.doubles()[0])
        }
        return (try bound(1, -Float.infinity), try bound(2, Float.infinity))
    }
}

/// `tensor` transposed by `perm` (a copy), for constants laid out at export time.
func transposed(_ tensor: Tensor, _ perm: [Int]) -> Tensor { tensor.transposed(perm) }
