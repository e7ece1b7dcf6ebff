import Foundation

/// Deterministic test inputs: every generator is a pure function of its size and seed.
enum Samples {
    /// SplitMix64 bytes: incompressible, so libzstd stores them in raw blocks.
    static func random(_ count: Int, seed: UInt64) -> Data {
        var generator = SplitMix(seed)
        var out = Data(capacity: count + 8)
        while out.count < count {
            withUnsafeBytes(of: generator.next()) { out.append(contentsOf: $0.prefix(count - out.count)) }
        }
        return out
    }

    /// Long runs of a few byte values: RLE blocks, RLE literals and offset-1 matches.
    static func runs(_ count: Int, seed: UInt64) -> Data {
        var generator = SplitMix(seed)
        var out = Data(capacity: count)
        while out.count < count {
            let value = UInt8(truncatingIfNeeded: generator.next() % 4)
            let length = Int(generator.next() % 3000) + 1
            out.append(contentsOf: repeatElement(value, count: min(length, count - out.count)))
        }
        return out
    }

    /// Text from a small vocabulary: Huffman literals, many matches and repeat offsets.
    static func text(_ count: Int, seed: UInt64) -> Data {
        let words = ["the", "model", "bundle", "weights", "delta", "zstd", "frame", "ferry", "tensor", "layer",
                     "quantized", "int8", "float", "sync", "client", "version", "0.", "1", "\n", ", ", "; "]
        var generator = SplitMix(seed)
        var out = Data(capacity: count + 16)
        while out.count < count {
            out.append(contentsOf: Array(words[Int(generator.next() % UInt64(words.count))].utf8))
            out.append(0x20)
        }
        return out.prefix(count)
    }

    /// Float32 weights, normally distributed-ish with a few repeated rows, like a layer's tensor.
    static func weights(_ count: Int, seed: UInt64) -> Data {
        var generator = SplitMix(seed)
        var floats: [Float] = []
        floats.reserveCapacity(count / 4 + 1)
        while floats.count * 4 < count {
            if floats.count > 256, generator.next() % 16 == 0 {
                // A repeated slice (tied or unchanged weights).
                let start = Int(generator.next() % UInt64(floats.count - 128))
                floats.append(contentsOf: floats[start..<(start + 64)])
                continue
            }
            let u = Float(generator.next() % 1_000_000) / 1_000_000 - 0.5
            let v = Float(generator.next() % 1_000_000) / 1_000_000 - 0.5
            floats.append((u + v) * 0.05)
        }
        return floats.withUnsafeBytes { Data($0.prefix(count)) }
    }

    /// A mix of all of the above, so one frame switches between block and literal types.
    static func mixed(_ count: Int, seed: UInt64) -> Data {
        var out = Data(capacity: count)
        var part = 0
        while out.count < count {
            let size = min(40_000 + part * 7_919, count - out.count)
            switch part % 4 {
            case 0: out.append(text(size, seed: seed &+ UInt64(part)))
            case 1: out.append(weights(size, seed: seed &+ UInt64(part)))
            case 2: out.append(random(size, seed: seed &+ UInt64(part)))
            default: out.append(runs(size, seed: seed &+ UInt64(part)))
            }
            part += 1
        }
        return out
    }
}

struct SplitMix {
    var state: UInt64

    init(_ seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
