/// XXH64 (Yann Collet's 64-bit xxHash), which zstd uses for its content checksum.
public enum XXH64 {
    private static let p1: UInt64 = 0x9E37_79B1_85EB_CA87
    private static let p2: UInt64 = 0xC2B2_AE3D_27D4_EB4F
    private static let p3: UInt64 = 0x1656_67B1_9E37_79F9
    private static let p4: UInt64 = 0x85EB_CA77_C2B2_AE63
    private static let p5: UInt64 = 0x27D4_EB2F_1656_67C5

    /// The hash of `bytes` with `seed` (zstd uses seed 0 and keeps the low 32 bits).
    public static func hash(_ bytes: UnsafeRawBufferPointer, seed: UInt64 = 0) -> UInt64 {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return avalanche(seed &+ p5) }
        let count = bytes.count
        var p = base
        let end = base + count
        var h: UInt64
        if count >= 32 {
            var v1 = seed &+ p1 &+ p2, v2 = seed &+ p2, v3 = seed, v4 = seed &- p1
            let limit = end - 32
            while p <= limit {
                v1 = round(v1, load64(p))
                v2 = round(v2, load64(p + 8))
                v3 = round(v3, load64(p + 16))
                v4 = round(v4, load64(p + 24))
                p += 32
            }
            h = rotl(v1, 1) &+ rotl(v2, 7) &+ rotl(v3, 12) &+ rotl(v4, 18)
            h = merge(h, v1)
            h = merge(h, v2)
            h = merge(h, v3)
            h = merge(h, v4)
        } else {
            h = seed &+ p5
        }
        return finish(h, length: count, tail: p, count: end - p)
    }

    @inline(__always) private static func finish(_ hash: UInt64, length: Int, tail: UnsafeRawPointer, count: Int) -> UInt64 {
        var h = hash &+ UInt64(length)
        var p = tail
        var n = count
        while n >= 8 {
            h ^= round(0, load64(p))
            h = rotl(h, 27) &* p1 &+ p4
            p += 8
            n -= 8
        }
        if n >= 4 {
            h ^= UInt64(UInt32(littleEndian: p.loadUnaligned(as: UInt32.self))) &* p1
            h = rotl(h, 23) &* p2 &+ p3
            p += 4
            n -= 4
        }
        while n > 0 {
            h ^= UInt64(p.load(as: UInt8.self)) &* p5
            h = rotl(h, 11) &* p1
            p += 1
            n -= 1
        }
        return avalanche(h)
    }

    @inline(__always) private static func avalanche(_ hash: UInt64) -> UInt64 {
        var h = hash
        h ^= h >> 33
        h = h &* p2
        h ^= h >> 29
        h = h &* p3
        h ^= h >> 32
        return h
    }

    @inline(__always) private static func load64(_ p: UnsafeRawPointer) -> UInt64 {
        UInt64(littleEndian: p.loadUnaligned(as: UInt64.self))
    }

    @inline(__always) private static func rotl(_ x: UInt64, _ r: UInt64) -> UInt64 { (x &<< r) | (x &>> (64 - r)) }

    @inline(__always) private static func round(_ acc: UInt64, _ input: UInt64) -> UInt64 {
        rotl(acc &+ input &* p2, 31) &* p1
    }

    @inline(__always) private static func merge(_ acc: UInt64, _ value: UInt64) -> UInt64 {
        (acc ^ round(0, value)) &* p1 &+ p4
    }
}
