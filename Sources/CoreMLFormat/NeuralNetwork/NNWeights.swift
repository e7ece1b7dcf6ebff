import FerryIR

/// The values of one NeuralNetwork `WeightParams`, in the storage the file holds them in.
public enum NNWeights: Sendable, Equatable {
    /// `floatValue`.
    case float32([Float])
    /// `float16Value` (spec 2+).
    case float16([Float16])
    /// `rawValue` as uint8 with `LinearQuantizationParams`: value = q · scale[c] + bias[c], one
    /// scale and bias per output channel (the leading storage axis) or one for all.
    case linear(bits: Int, values: [UInt8], scale: [Float], bias: [Float])
    /// `rawValue` as n-bit indices (most significant bit first, as coremltools packs them) into
    /// a `LookUpTableQuantizationParams` table of 2^bits floats.
    case lookupTable(bits: Int, indices: [Int], table: [Float])

    /// The number of values.
    public var count: Int {
        switch self {
        case .float32(let values): return values.count
        case .float16(let values): return values.count
        case .linear(_, let values, _, _): return values.count
        case .lookupTable(_, let indices, _): return indices.count
        }
    }

    /// The values as float32, quantized ones expanded exactly as Core ML expands them.
    public func floats() -> [Float] {
        switch self {
        case .float32(let values): return values
        case .float16(let values): return values.map { Float($0) }
        case .linear(_, let values, let scale, let bias):
            let channels = max(scale.count, 1), perChannel = values.count / channels
            return values.enumerated().map { index, q in
                let c = scale.count == 1 ? 0 : index / max(perChannel, 1)
                return Float(q) * scale[c] + (bias.isEmpty ? 0 : bias[bias.count == 1 ? 0 : c])
            }
        case .lookupTable(_, let indices, let table): return indices.map { table[$0] }
        }
    }

    /// How the values are stored, for `ferry inspect` ("fp32", "fp16", "int8 linear", "palettized 4-bit").
    public var storageName: String {
        switch self {
        case .float32: return "fp32"
        case .float16: return "fp16"
        case .linear(let bits, _, _, _): return bits == 8 ? "uint8 linear" : "\(bits)-bit linear"
        case .lookupTable(let bits, _, _): return "palettized \(bits)-bit"
        }
    }

    /// Bytes the values take in the file (table, scales and biases included).
    public var byteCount: Int {
        switch self {
        case .float32(let values): return 4 * values.count
        case .float16(let values): return 2 * values.count
        case .linear(let bits, let values, let scale, let bias): return (values.count * bits + 7) / 8 + 4 * (scale.count + bias.count)
        case .lookupTable(let bits, let indices, let table): return (indices.count * bits + 7) / 8 + 4 * table.count
        }
    }

    /// n-bit values packed most significant bit first (coremltools' `_convert_array_to_nbit_quantized_bytes`).
    static func pack(_ values: [Int], bits: Int) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: (values.count * bits + 7) / 8)
        var position = 0
        for value in values {
            for bit in stride(from: bits - 1, through: 0, by: -1) {
                if (value >> bit) & 1 == 1 { bytes[position / 8] |= UInt8(0x80 >> (position % 8)) }
                position += 1
            }
        }
        return bytes
    }

    /// The inverse of `pack`: `count` n-bit values.
    static func unpack(_ bytes: [UInt8], bits: Int, count: Int) -> [Int] {
        var values: [Int] = []
        values.reserveCapacity(count)
        var position = 0
        for _ in 0..<count {
            var value = 0
            for _ in 0..<bits {
                value = (value << 1) | Int((bytes[position / 8] >> (7 - position % 8)) & 1)
                position += 1
            }
            values.append(value)
        }
        return values
    }
}
