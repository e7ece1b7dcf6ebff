import FerryIR

/// How the exporter stores large float constants (weights): as they are (`const`), as a
/// palette (`constexpr_lut_to_dense`, k-means look-up table and packed indices) or, for pruned
/// weights, as a bit mask and the nonzero values (`constexpr_sparse_to_dense`) when that is
/// smaller than dense. Both ops are iOS 16 (opset CoreML6, spec 7).
public struct WeightCompression: Sendable, Equatable {
    /// Palette bits per weight (1, 2, 4, 6 or 8), nil for no palettization.
    public var paletteBits: Int?
    /// Store a weight sparse when its mask and nonzero values take fewer bytes than dense.
    public var sparse = false
    /// Constants with fewer elements stay dense (coremltools' `weight_threshold` default, 2048).
    public var minimumElements = 2048

    public init(paletteBits: Int? = nil, sparse: Bool = false) {
        self.paletteBits = paletteBits
        self.sparse = sparse
    }

    public var isEnabled: Bool { paletteBits != nil || sparse }
}

/// A compressed constant: the op type and its attributes, ready for a MIL operation.
struct CompressedWeight {
    var opType: String
    var attributes: [(name: String, value: MILValue)]
}

extension WeightCompression {
    /// `tensor` (already in its MIL float type) compressed, or nil when it stays dense.
    func compress(_ tensor: Tensor) -> CompressedWeight? {
        guard tensor.dataType == .float16 || tensor.dataType == .float32, tensor.count >= minimumElements else { return nil }
        let shape = Tensor(shape: [tensor.rank], values: tensor.shape.map { UInt32($0) })
        let values = tensor.doubles().map { Float($0) }
        if let bits = paletteBits {
            let (lut, indices) = Palettizer.palettize(values, bits: bits)
            let table = Tensor(shape: [lut.count], values: lut)
            let packed = BitPacking.pack(indices, bits: bits)
            return CompressedWeight(opType: "constexpr_lut_to_dense", attributes: [
                ("indices", .tensor(Tensor(shape: [packed.count], values: packed))),
                ("lut", .tensor(tensor.dataType == .float16 ? Tensor(shape: [lut.count], values: lut.map { Float16($0) }) : table)),
                ("shape", .tensor(shape)),
            ])
        }
        if sparse {
            let nonzero = values.indices.filter { values[$0] != 0 }
            let width = tensor.dataType.byteSize
            guard nonzero.count * width + (values.count + 7) / 8 < values.count * width else { return nil }
            var mask = [UInt8](repeating: 0, count: (values.count + 7) / 8)
            for index in nonzero { mask[index >> 3] |= 1 << UInt8(index & 7) }
            let data = tensor.dataType == .float16
                ? Tensor(shape: [nonzero.count], values: nonzero.map { Float16(values[$0]) })
                : Tensor(shape: [nonzero.count], values: nonzero.map { values[$0] })
            return CompressedWeight(opType: "constexpr_sparse_to_dense", attributes: [
                ("mask", .tensor(Tensor(shape: [mask.count], values: mask))),
                ("nonzero_data", .tensor(data)),
                ("shape", .tensor(shape)),
            ])
        }
        return nil
    }
}

/// Why a constexpr weight op cannot be expanded.
struct DecompressionError: Error {
    let reason: String
    init(_ reason: String) { self.reason = reason }
}

/// Expands the constexpr weight ops back into dense tensors (the reader runs these numbers).
enum WeightDecompression {
    static func lutToDense(lut: Tensor, indices: Tensor, shape: Tensor) throws(DecompressionError) -> Tensor {
        let sizes: [Int: Int] = [2: 1, 4: 2, 16: 4, 64: 6, 256: 8]
        guard lut.rank == 1, let bits = sizes[lut.count] else { throw DecompressionError("lut has \(lut.count) entries (2, 4, 16, 64 or 256 expected)") }
        guard indices.dataType == .uint8, indices.rank == 1, shape.dataType == .uint32, shape.rank == 1 else {
            throw DecompressionError("indices must be uint8 and shape uint32 vectors")
        }
        let dims = shape.integers()
        let count = dims.reduce(1, *)
        guard indices.count == (count * bits + 7) / 8 else { throw DecompressionError("\(indices.count) index bytes for \(count) \(bits)-bit indices") }
        let unpacked = BitPacking.unpack(indices.elements(as: UInt8.self), bits: bits, count: count)
        let table = lut.doubles()
        if lut.dataType == .float16 {
            return Tensor(shape: dims, values: unpacked.map { Float16(table[$0]) })
        }
        return Tensor(shape: dims, values: unpacked.map { Float(table[$0]) })
    }

    static func sparseToDense(nonzero: Tensor, mask: Tensor, shape: Tensor) throws(DecompressionError) -> Tensor {
        guard mask.dataType == .uint8, mask.rank == 1, shape.dataType == .uint32, shape.rank == 1, nonzero.rank == 1 else {
            throw DecompressionError("mask must be a uint8 vector, shape a uint32 vector and nonzero_data a vector")
        }
        let dims = shape.integers()
        let count = dims.reduce(1, *)
        let bytes = mask.elements(as: UInt8.self)
        guard bytes.count == (count + 7) / 8 else { throw DecompressionError("\(bytes.count) mask bytes for \(count) elements") }
        let set = (0..<bytes.count * 8).filter { (bytes[$0 >> 3] >> UInt8($0 & 7)) & 1 == 1 }
        guard set.allSatisfy({ $0 < count }) else { throw DecompressionError("padding bits of the mask are set") }
        guard set.count == nonzero.count else { throw DecompressionError("\(set.count) mask bits set for \(nonzero.count) nonzero values") }
        let values = nonzero.doubles()
        var dense = [Double](repeating: 0, count: count)
        for (position, index) in set.enumerated() { dense[index] = values[position] }
        if nonzero.dataType == .float16 { return Tensor(shape: dims, values: dense.map { Float16($0) }) }
        return Tensor(shape: dims, values: dense.map { Float($0) })
    }
}
