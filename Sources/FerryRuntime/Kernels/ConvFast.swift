import CFerryKernels
import Synchronization
import FerryIR

/// The fast float32 2-D convolution: depthwise filters run directly, everything else as
/// im2col (skipped for 1×1 stride-1 windows) feeding the blocked GEMM. Work is split across
/// threads by output columns or channels, never inside one output's sum, so results are the
/// same for any thread count.
public enum ConvFast {
    /// A constant weight packed once for the GEMM, per group (built at session creation).
    public final class PackedWeights: @unchecked Sendable {
        let groups: [UnsafeMutablePointer<Float>]
        /// The weight these were packed from: they apply only to that very tensor.
        let source: TensorStorage

        /// Packs w (M × C/group × KH × KW) as `group` matrices of (M/group) × (C/group·KH·KW).
        public init(_ w: Tensor, group: Int) {
            let rows = w.shape[0] / group
            let depth = w.count / w.shape[0]
            source = w.storage
            let base = UnsafePointer(w.storage.bytes.assumingMemoryBound(to: Float.self))
            groups = (0..<group).map { g in
                let size = ferry_sgemm_packed_size(Int32(rows), Int32(max(depth, 1)))
                let packed = UnsafeMutablePointer<Float>.allocate(capacity: size)
                ferry_sgemm_pack(Int32(rows), Int32(depth), base + g * rows * depth, Int32(depth), packed)
                return packed
            }
        }

        deinit { for pointer in groups { pointer.deallocate() } }

        /// The packing of `w` for `group`, shared by every session alive that packs that very
        /// tensor (the mixed-precision search makes a session per candidate, whose float layers
        /// keep the float model's weight tensors): packed once while any session holds it.
        public static func shared(_ w: Tensor, group: Int) -> PackedWeights {
            let key = Key(storage: ObjectIdentifier(w.storage), rows: w.shape[0], count: w.count, group: group)
            if let hit = cache.withLock({ $0[key]?.value }), hit.source === w.storage { return hit }
            let made = PackedWeights(w, group: group)
            cache.withLock { entries in
                if entries.count > 4096 { entries = entries.filter { $0.value.value != nil } }
                entries[key] = Weak(value: made)
            }
            return made
        }

        private struct Key: Hashable {
            let storage: ObjectIdentifier
            let rows: Int
            let count: Int
            let group: Int
        }
        private struct Weak { weak var value: PackedWeights? }
        private static let cache = Mutex<[Key: Weak]>([:])
    }

    /// `quantizing` (scale, zero point, low, high): the output is then quantized and dequantized
    /// as ferry_fake_quantize_f32 does, after the activation, a block at a time while the block
    /// is in cache (a QuantizeLinear → DequantizeLinear pair fused into the convolution).
    public static func run(x: Tensor, w: Tensor, bias: Tensor?, geometry g: WindowGeometry, group: Int,
                           context: ExecutionContext, packed: PackedWeights? = nil,
                           activation: FusedActivation? = nil,
                           quantizing: (scale: Float, zero: Float, low: Float, high: Float)? = nil) -> Tensor {
        let n = x.shape[0], c = x.shape[1], m = w.shape[0]
        let (h, wd) = (g.input[0], g.input[1]), (oh, ow) = (g.output[0], g.output[1])
        let (kh, kw) = (g.kernel[0], g.kernel[1])
        let cinG = c / group, coutG = m / group
        // Every element is written: by the depthwise kernel, or by bias fill plus GEMM accumulation,
        // or by a non-accumulating GEMM.
        let out = Tensor(dataType: .float32, shape: [n, m, oh, ow], zeroed: false)
        let xp = UnsafePointer(x.storage.bytes.assumingMemoryBound(to: Float.self))
        let wp = UnsafePointer(w.storage.bytes.assumingMemoryBound(to: Float.self))
        let bp = bias.map { UnsafePointer($0.storage.bytes.assumingMemoryBound(to: Float.self)) }
        let op = out.storage.bytes.assumingMemoryBound(to: Float.self)
        let plane = oh * ow
        let k = cinG * kh * kw
        let pointwise = kh == 1 && kw == 1 && g.strides == [1, 1] && g.padBegin == [0, 0] && g.padEnd == [0, 0]
        // Relu and Clip are applied by the kernels as they store each value; other activations after.
        let clamp = activation?.clampBounds
        let after = clamp == nil ? activation : nil
        // The im2col matrix, from the tensor buffer pool: the next run's takes the same block
        // again instead of fresh memory and its page faults.
        let scratch = pointwise || (cinG == 1 && coutG == 1) ? nil : Tensor(dataType: .float32, shape: [max(1, k * plane)], zeroed: false)
        let columns = scratch.map { $0.storage.bytes.assumingMemoryBound(to: Float.self) }
        defer { withExtendedLifetime(scratch) {} }
        // Every path quantizes each piece of output right after computing it (and its activation).
        func fakeQuantize(_ start: UnsafeMutablePointer<Float>, _ count: Int) {
            guard let q = quantizing else { return }
            ferry_fake_quantize_f32(start, start, count, q.scale, q.zero, q.low, q.high)
        }
        // The GEMM quantizes each block it finishes, unless another activation must come first.
        let inGEMM: [Float]? = after == nil ? quantizing.map { [$0.scale, $0.zero, $0.low, $0.high] } : nil
        for b in 0..<n {
            let xb = xp + b * c * h * wd, ob = op + b * m * plane
            if cinG == 1 && coutG == 1 {
                // Channels are independent: with a quantization to apply, a few at a time (about
                // 64 KB of output), each quantized while it is still in cache.
                let step = quantizing == nil ? c : max(1, 16384 / max(1, plane))
                context.parallelFor(c) { range in
                    for first in stride(from: range.lowerBound, to: range.upperBound, by: step) {
                        let last = min(range.upperBound, first + step)
                        ferry_depthwise_conv2d(xb, wp, bp, ob, Int32(first), Int32(last),
                                               Int32(h), Int32(wd), Int32(kh), Int32(kw), Int32(g.padBegin[0]), Int32(g.padBegin[1]),
                                               Int32(g.strides[0]), Int32(g.strides[1]), Int32(g.dilations[0]), Int32(g.dilations[1]),
                                               Int32(oh), Int32(ow), clamp == nil ? 0 : 1, clamp?.lo ?? 0, clamp?.hi ?? 0)
                        after?.apply(ob + first * plane, (last - first) * plane)
                        fakeQuantize(ob + first * plane, (last - first) * plane)
                    }
                }
                continue
            }
            for gi in 0..<group {
                let xg = xb + gi * cinG * h * wd
                let source: UnsafePointer<Float>
                if let columns {
                    context.parallelFor(cinG) { range in
                        ferry_im2col(xg + range.lowerBound * h * wd, Int32(range.count), Int32(h), Int32(wd), Int32(kh), Int32(kw),
                                     Int32(g.padBegin[0]), Int32(g.padBegin[1]), Int32(g.strides[0]), Int32(g.strides[1]),
                                     Int32(g.dilations[0]), Int32(g.dilations[1]), Int32(oh), Int32(ow),
                                     columns + range.lowerBound * kh * kw * plane)
                    }
                    source = UnsafePointer(columns)
                } else {
                    source = xg
                }
                let a = wp + gi * coutG * k
                let cg = ob + gi * coutG * plane
                if let prepacked = packed.flatMap({ $0.source === w.storage ? UnsafePointer($0.groups[gi]) : nil }) {
                    // Bias and clamp go in as the GEMM stores each block: one pass over the output.
                    let biasG = bp.map { $0 + gi * coutG }
                    let rowBlocks = (coutG + Int(FERRY_SGEMM_ROW_BLOCK) - 1) / Int(FERRY_SGEMM_ROW_BLOCK)
                    func product(columns: Range<Int>, blocks: Range<Int>) {
                        func gemm(_ fq: UnsafePointer<Float>?) {
                            ferry_sgemm_prepacked_bias_fq(Int32(coutG), Int32(columns.count), Int32(k), prepacked, source + columns.lowerBound,
                                                          Int32(plane), cg + columns.lowerBound, Int32(plane), biasG, clamp == nil ? 0 : 1,
                                                          clamp?.lo ?? 0, clamp?.hi ?? 0, Int32(blocks.lowerBound), Int32(blocks.upperBound), fq)
                        }
                        if let inGEMM { inGEMM.withUnsafeBufferPointer { gemm($0.baseAddress) } } else { gemm(nil) }
                        guard let after else { return }
                        let rows = blocks.lowerBound * Int(FERRY_SGEMM_ROW_BLOCK)..<min(coutG, blocks.upperBound * Int(FERRY_SGEMM_ROW_BLOCK))
                        for oc in rows {
                            after.apply(cg + oc * plane + columns.lowerBound, columns.count)
                            fakeQuantize(cg + oc * plane + columns.lowerBound, columns.count)
                        }
                    }
                    if plane >= 64 * context.threads || rowBlocks < context.threads {
                        // Split output columns in multiples of the micro-kernel width.
                        context.parallelFor((plane + 15) / 16) { range in
                            product(columns: range.lowerBound * 16..<min(plane, range.upperBound * 16), blocks: 0..<rowBlocks)
                        }
                    } else {
                        context.parallelFor(rowBlocks) { range in product(columns: 0..<plane, blocks: range) }
                    }
                    continue
                }
                if let bp {
                    for oc in 0..<coutG {
                        let value = bp[gi * coutG + oc]
                        (cg + oc * plane).initialize(repeating: value, count: plane)
                    }
                }
                let accumulate: Int32 = bp == nil ? 0 : 1
                if plane >= 64 * context.threads || coutG < context.threads {
                    // Split output columns in multiples of the micro-kernel width.
                    context.parallelFor((plane + 15) / 16) { range in
                        let start = range.lowerBound * 16, end = min(plane, range.upperBound * 16)
                        ferry_sgemm(Int32(coutG), Int32(end - start), Int32(k), a, Int32(k), source + start, Int32(plane),
                                    cg + start, Int32(plane), accumulate)
                        for oc in 0..<coutG {
                            activation?.apply(cg + oc * plane + start, end - start)
                            fakeQuantize(cg + oc * plane + start, end - start)
                        }
                    }
                } else {
                    context.parallelFor(coutG) { range in
                        ferry_sgemm(Int32(range.count), Int32(plane), Int32(k), a + range.lowerBound * k, Int32(k), source, Int32(plane),
                                    cg + range.lowerBound * plane, Int32(plane), accumulate)
                        activation?.apply(cg + range.lowerBound * plane, range.count * plane)
                        fakeQuantize(cg + range.lowerBound * plane, range.count * plane)
                    }
                }
            }
        }
        return out
    }
}
