// Blocked single-precision matrix multiply: B is packed into 16-column panels (or, with AVX2,
// read in place where packing would not pay) and A into 6-row panels (4-row ones at the end
// of a block), and a 6×16 or 4×16 micro-kernel keeps the block of C in registers; narrow N
// tails go column by column (column_avx2). The AVX2/FMA kernel is chosen at run time when the
// processor has it; the portable kernel computes the same sums in the same order, so results
// do not depend on how the work is split.
#include "include/ferry_kernels.h"
#include "include/ferry_qkernels.h"
#include <stdlib.h>
#include <string.h>

#define MR 6
#define NR 16
#define KC 256
#define MC FERRY_SGEMM_ROW_BLOCK
#define NC 1024
// N tails narrower than this go column by column (AVX2 only; see column_avx2).
#define COLUMN_TAIL 12
// K blocks up to this deep run each A panel along all the B panels (see sweep_avx2_6).
#define SMALL_K 64

static int force_portable = 0;

void ferry_sgemm_force_portable(int portable) { force_portable = portable; }

// Rows in the A panel that starts with `left` rows of the block still to go: MR, except that
// 7 or 8 rows become two panels of 4 (4+4 or 4+3), which the 4-row AVX2 kernel computes
// in 8 cycles per k instead of 6+4 for 6+2 or 6+1. Every panel is still MR floats a k.
static inline int panel_rows(int left) { return left == 7 || left == 8 ? 4 : left < MR ? left : MR; }

static void pack_a(int mc, int kc, const float *A, int lda, float *packed) {
    for (int i = 0, rows; i < mc; i += rows) {
        rows = panel_rows(mc - i);
        for (int k = 0; k < kc; k++) {
            for (int r = 0; r < rows; r++) *packed++ = A[(i + r) * lda + k];
            for (int r = rows; r < MR; r++) *packed++ = 0.0f;
        }
    }
}

static void pack_bt(int kc, int nc, const float *Bt, int ldb, float *packed) {
    for (int j = 0; j < nc; j += NR) {
        int cols = nc - j < NR ? nc - j : NR;
        for (int k = 0; k < kc; k++) {
            int c = 0;
            for (; c < cols; c++) *packed++ = Bt[(size_t)(j + c) * ldb + k];
            for (; c < NR; c++) *packed++ = 0.0f;
        }
    }
}

static void pack_b(int kc, int nc, const float *B, int ldb, float *packed) {
    for (int j = 0; j < nc; j += NR) {
        int cols = nc - j < NR ? nc - j : NR;
        if (cols == NR) {
            // Whole panels: one 64-byte copy per row (vector moves, not a scalar loop).
            for (int k = 0; k < kc; k++, packed += NR) memcpy(packed, B + (size_t)k * ldb + j, sizeof(float) * NR);
            continue;
        }
        for (int k = 0; k < kc; k++) {
            const float *row = B + k * ldb + j;
            int c = 0;
            for (; c < cols; c++) *packed++ = row[c];
            for (; c < NR; c++) *packed++ = 0.0f;
        }
    }
}

// What a micro-kernel does with its block of sums: with `bias` (one value per row, the
// first K block only) it writes bias + sum, else with `accumulate` it adds the sum to C, else
// it writes the sum; with `clamp` (the last K block only) it then limits each value to
// [lo, hi] as Swift's min(max(x, lo), hi) does (NaN stays NaN, lo wins a tie).
typedef struct {
    const float *bias;
    int accumulate;
    int clamp;
    float lo, hi;
    // Scale, zero point, low and high of a fake quantization applied to each NC-column block of
    // C once it is final (ferry_fake_quantize_f32, while the block is still in cache), or NULL.
    const float *fake_quantize;
} epilogue;

static inline float clamp_value(float v, float lo, float hi) {
    v = lo >= v ? lo : v;
    return hi < v ? hi : v;
}

// Stores rows×cols of acc (row stride `stride`) into C under the epilogue.
static inline void store_block(const float *acc, int stride, float *C, int ldc, int rows, int cols, const epilogue *e) {
    for (int r = 0; r < rows; r++) {
        float *out = C + r * ldc;
        const float *sum = acc + r * stride;
        if (e->bias) { float b = e->bias[r]; for (int c = 0; c < cols; c++) out[c] = b + sum[c]; }
        else if (e->accumulate) for (int c = 0; c < cols; c++) out[c] += sum[c];
        else for (int c = 0; c < cols; c++) out[c] = sum[c];
        if (e->clamp) for (int c = 0; c < cols; c++) out[c] = clamp_value(out[c], e->lo, e->hi);
    }
}

// Portable micro-kernel: acc[r][c] = Σ_k a[k][r]·b[k][c], accumulated in k order.
static void kernel_portable(int kc, const float *a, const float *b, float *C, int ldc,
                            int rows, int cols, const epilogue *e) {
    float acc[MR][NR];
    memset(acc, 0, sizeof acc);
    for (int k = 0; k < kc; k++) {
        for (int r = 0; r < MR; r++) {
            float av = a[k * MR + r];
            for (int c = 0; c < NR; c++) acc[r][c] = __builtin_fmaf(av, b[k * NR + c], acc[r][c]);
        }
    }
    store_block(&acc[0][0], NR, C, ldc, rows, cols, e);
}

#if defined(__x86_64__)
#include <immintrin.h>

// Stores the R×16 block acc under the epilogue (`rows` ≤ R of its rows).
__attribute__((target("avx2,fma"), always_inline))
static inline void store_avx2(__m256 acc[][2], float *C, int ldc, int rows, int cols, const epilogue *e, const int R) {
    if (cols == NR) {
        const __m256 lo = _mm256_set1_ps(e->lo), hi = _mm256_set1_ps(e->hi);
        for (int r = 0; r < rows; r++) {
            float *out = C + r * ldc;
            __m256 v0, v1;
            if (e->bias) {
                __m256 b = _mm256_set1_ps(e->bias[r]);
                v0 = _mm256_add_ps(b, acc[r][0]);
                v1 = _mm256_add_ps(b, acc[r][1]);
            } else if (e->accumulate) {
                v0 = _mm256_add_ps(_mm256_loadu_ps(out), acc[r][0]);
                v1 = _mm256_add_ps(_mm256_loadu_ps(out + 8), acc[r][1]);
            } else {
                v0 = acc[r][0];
                v1 = acc[r][1];
            }
            if (e->clamp) {
                // lo >= v ? lo : v, then hi < v ? hi : v (as clamp_value; NaN compares false).
                v0 = _mm256_blendv_ps(v0, lo, _mm256_cmp_ps(lo, v0, _CMP_GE_OQ));
                v1 = _mm256_blendv_ps(v1, lo, _mm256_cmp_ps(lo, v1, _CMP_GE_OQ));
                v0 = _mm256_blendv_ps(v0, hi, _mm256_cmp_ps(hi, v0, _CMP_LT_OQ));
                v1 = _mm256_blendv_ps(v1, hi, _mm256_cmp_ps(hi, v1, _CMP_LT_OQ));
            }
            _mm256_storeu_ps(out, v0);
            _mm256_storeu_ps(out + 8, v1);
        }
    } else {
        float tmp[MR * NR];
        for (int r = 0; r < R; r++) {
            _mm256_storeu_ps(tmp + r * NR, acc[r][0]);
            _mm256_storeu_ps(tmp + r * NR + 8, acc[r][1]);
        }
        store_block(tmp, NR, C, ldc, rows, cols, e);
    }
}

// The 6×16 block in 12 accumulators, B's rows ldb floats apart (NR in a packed panel).
// (Not inlined: GCC then spills the accumulators.)
__attribute__((target("avx2,fma"), noinline))
static void kernel_avx2_6(int kc, const float *a, const float *b, int ldb, float *C, int ldc,
                          int rows, int cols, const epilogue *e) {
    __m256 c00 = _mm256_setzero_ps(), c01 = _mm256_setzero_ps();
    __m256 c10 = _mm256_setzero_ps(), c11 = _mm256_setzero_ps();
    __m256 c20 = _mm256_setzero_ps(), c21 = _mm256_setzero_ps();
    __m256 c30 = _mm256_setzero_ps(), c31 = _mm256_setzero_ps();
    __m256 c40 = _mm256_setzero_ps(), c41 = _mm256_setzero_ps();
    __m256 c50 = _mm256_setzero_ps(), c51 = _mm256_setzero_ps();
    for (int k = 0; k < kc; k++) {
        __m256 b0 = _mm256_loadu_ps(b), b1 = _mm256_loadu_ps(b + 8);
        __m256 a0 = _mm256_broadcast_ss(a + 0);
        c00 = _mm256_fmadd_ps(a0, b0, c00); c01 = _mm256_fmadd_ps(a0, b1, c01);
        __m256 a1 = _mm256_broadcast_ss(a + 1);
        c10 = _mm256_fmadd_ps(a1, b0, c10); c11 = _mm256_fmadd_ps(a1, b1, c11);
        __m256 a2 = _mm256_broadcast_ss(a + 2);
        c20 = _mm256_fmadd_ps(a2, b0, c20); c21 = _mm256_fmadd_ps(a2, b1, c21);
        __m256 a3 = _mm256_broadcast_ss(a + 3);
        c30 = _mm256_fmadd_ps(a3, b0, c30); c31 = _mm256_fmadd_ps(a3, b1, c31);
        __m256 a4 = _mm256_broadcast_ss(a + 4);
        c40 = _mm256_fmadd_ps(a4, b0, c40); c41 = _mm256_fmadd_ps(a4, b1, c41);
        __m256 a5 = _mm256_broadcast_ss(a + 5);
        c50 = _mm256_fmadd_ps(a5, b0, c50); c51 = _mm256_fmadd_ps(a5, b1, c51);
        a += MR;
        b += ldb;
    }
    __m256 acc[6][2] = {{c00, c01}, {c10, c11}, {c20, c21}, {c30, c31}, {c40, c41}, {c50, c51}};
    store_avx2(acc, C, ldc, rows, cols, e, 6);
}

// The 4×16 block (a panel of at most 4 rows) in 8 accumulators: still enough independent
// FMA chains to fill both pipes through their 4-cycle latency, at 2/3 of the 6-row cost.
__attribute__((target("avx2,fma"), noinline))
static void kernel_avx2_4(int kc, const float *a, const float *b, int ldb, float *C, int ldc,
                          int rows, int cols, const epilogue *e) {
    __m256 c00 = _mm256_setzero_ps(), c01 = _mm256_setzero_ps();
    __m256 c10 = _mm256_setzero_ps(), c11 = _mm256_setzero_ps();
    __m256 c20 = _mm256_setzero_ps(), c21 = _mm256_setzero_ps();
    __m256 c30 = _mm256_setzero_ps(), c31 = _mm256_setzero_ps();
    for (int k = 0; k < kc; k++) {
        __m256 b0 = _mm256_loadu_ps(b), b1 = _mm256_loadu_ps(b + 8);
        __m256 a0 = _mm256_broadcast_ss(a + 0);
        c00 = _mm256_fmadd_ps(a0, b0, c00); c01 = _mm256_fmadd_ps(a0, b1, c01);
        __m256 a1 = _mm256_broadcast_ss(a + 1);
        c10 = _mm256_fmadd_ps(a1, b0, c10); c11 = _mm256_fmadd_ps(a1, b1, c11);
        __m256 a2 = _mm256_broadcast_ss(a + 2);
        c20 = _mm256_fmadd_ps(a2, b0, c20); c21 = _mm256_fmadd_ps(a2, b1, c21);
        __m256 a3 = _mm256_broadcast_ss(a + 3);
        c30 = _mm256_fmadd_ps(a3, b0, c30); c31 = _mm256_fmadd_ps(a3, b1, c31);
        a += MR;
        b += ldb;
    }
    __m256 acc[4][2] = {{c00, c01}, {c10, c11}, {c20, c21}, {c30, c31}};
    store_avx2(acc, C, ldc, rows, cols, e, 4);
}

// acc += a·b as vfmadd231ps with a in the register operand before b, as the compiler emits
// for the left half of the 6×16 kernel: where a and b are both NaN, the result keeps a's payload.
// (Left to itself the compiler folds the load of a into the instruction, which puts b first.)
__attribute__((target("avx2,fma"), always_inline))
static inline __m256 fma_ab(__m256 a, __m256 b, __m256 acc) {
    __asm__("vfmadd231ps %[b], %[a], %[acc]" : [acc] "+x"(acc) : [a] "x"(a), [b] "x"(b));
    return acc;
}

// acc += a·b with b in the register operand before a (see fma_ab).
__attribute__((target("avx2,fma"), always_inline))
static inline __m256 fma_ba(__m256 a, __m256 b, __m256 acc) {
    __asm__("vfmadd231ps %[a], %[b], %[acc]" : [acc] "+x"(acc) : [a] "x"(a), [b] "x"(b));
    return acc;
}

// x + v with x as the first operand, whose payload wins where both are NaN. {vex3} stops the
// assembler swapping the operands of a commutative add for a shorter encoding.
__attribute__((target("avx2,fma"), always_inline))
static inline __m256 add_first(__m256 x, __m256 v) {
    __m256 sum;
    __asm__("%{vex3%} vaddps %[v], %[x], %[sum]" : [sum] "=x"(sum) : [x] "x"(x), [v] "x"(v));
    return sum;
}

// One row of a 6×16 block under the epilogue, as kernel_avx2_6 stores it: bias or C first.
__attribute__((target("avx2,fma"), always_inline))
static inline void store_row_avx2(float *out, __m256 v0, __m256 v1, const float *bias, int accumulate, int clamp,
                                  __m256 lo, __m256 hi) {
    if (bias) {
        __m256 b = _mm256_broadcast_ss(bias);
        v0 = add_first(b, v0);
        v1 = add_first(b, v1);
    } else if (accumulate) {
        v0 = add_first(_mm256_loadu_ps(out), v0);
        v1 = add_first(_mm256_loadu_ps(out + 8), v1);
    }
    if (clamp) {
        v0 = _mm256_blendv_ps(v0, lo, _mm256_cmp_ps(lo, v0, _CMP_GE_OQ));
        v1 = _mm256_blendv_ps(v1, lo, _mm256_cmp_ps(lo, v1, _CMP_GE_OQ));
        v0 = _mm256_min_ps(hi, v0);  // hi < v ? hi : v, NaN and ±0 included
        v1 = _mm256_min_ps(hi, v1);
    }
    _mm256_storeu_ps(out, v0);
    _mm256_storeu_ps(out + 8, v1);
}

// For small K: one 6-row A panel (`rows` of its rows stored) times `panels` whole B panels at b,
// b + 16, … (row stride ldb), so C is written `rows` rows at a time front to back instead of a
// line in each of mc rows per panel, and each block's sums go to C from registers (no call and
// no spill per block, which cost as much as the FMAs when K is small). Same FMAs and adds as
// kernel_avx2_6, operands in the order its compiled code has them (NaN payloads follow it).
__attribute__((target("avx2,fma"), noinline))
static void sweep_avx2_6(int kc, const float *a, const float *b, int ldb, float *C, int ldc, int rows, int panels,
                         const epilogue *e) {
    const __m256 lo = _mm256_set1_ps(e->lo), hi = _mm256_set1_ps(e->hi);
    const float *bias = e->bias;
    const int accumulate = e->accumulate, clamp = e->clamp;
    const size_t row = (size_t)ldc;
    for (int j = 0; j < panels; j++, b += NR, C += NR) {
        __m256 c00 = _mm256_setzero_ps(), c01 = _mm256_setzero_ps();
        __m256 c10 = _mm256_setzero_ps(), c11 = _mm256_setzero_ps();
        __m256 c20 = _mm256_setzero_ps(), c21 = _mm256_setzero_ps();
        __m256 c30 = _mm256_setzero_ps(), c31 = _mm256_setzero_ps();
        __m256 c40 = _mm256_setzero_ps(), c41 = _mm256_setzero_ps();
        __m256 c50 = _mm256_setzero_ps(), c51 = _mm256_setzero_ps();
        const float *ak = a, *bk = b;
        for (int k = 0; k < kc; k++, ak += MR, bk += ldb) {
            __m256 b0 = _mm256_loadu_ps(bk), b1 = _mm256_loadu_ps(bk + 8);
            // As compiled in kernel_avx2_6: the right half takes b first except in the last row.
            __m256 a0 = _mm256_broadcast_ss(ak + 0);
            c00 = fma_ab(a0, b0, c00); c01 = fma_ba(a0, b1, c01);
            __m256 a1 = _mm256_broadcast_ss(ak + 1);
            c10 = fma_ab(a1, b0, c10); c11 = fma_ba(a1, b1, c11);
            __m256 a2 = _mm256_broadcast_ss(ak + 2);
            c20 = fma_ab(a2, b0, c20); c21 = fma_ba(a2, b1, c21);
            __m256 a3 = _mm256_broadcast_ss(ak + 3);
            c30 = fma_ab(a3, b0, c30); c31 = fma_ba(a3, b1, c31);
            __m256 a4 = _mm256_broadcast_ss(ak + 4);
            c40 = fma_ab(a4, b0, c40); c41 = fma_ba(a4, b1, c41);
            __m256 a5 = _mm256_broadcast_ss(ak + 5);
            c50 = fma_ab(a5, b0, c50); c51 = fma_ab(a5, b1, c51);
        }
        store_row_avx2(C, c00, c01, bias, accumulate, clamp, lo, hi);
        if (rows > 1) store_row_avx2(C + row, c10, c11, bias ? bias + 1 : NULL, accumulate, clamp, lo, hi);
        if (rows > 2) store_row_avx2(C + 2 * row, c20, c21, bias ? bias + 2 : NULL, accumulate, clamp, lo, hi);
        if (rows > 3) store_row_avx2(C + 3 * row, c30, c31, bias ? bias + 3 : NULL, accumulate, clamp, lo, hi);
        if (rows > 4) store_row_avx2(C + 4 * row, c40, c41, bias ? bias + 4 : NULL, accumulate, clamp, lo, hi);
        if (rows > 5) store_row_avx2(C + 5 * row, c50, c51, bias ? bias + 5 : NULL, accumulate, clamp, lo, hi);
    }
}

__attribute__((target("avx2,fma"), always_inline))
static inline void column_avx2_body(int kc, const float *a, const float *b, float *out, const int P) {
    const size_t stride = (size_t)kc * MR;
    __m256 acc[12];
    for (int p = 0; p < P; p++) acc[p] = _mm256_setzero_ps();
    int k = 0;
    for (; k < kc - 1; k++) {
        __m256 bk = _mm256_broadcast_ss(b + k * NR);
        for (int p = 0; p < P; p++) acc[p] = fma_ab(_mm256_loadu_ps(a + p * stride + k * MR), bk, acc[p]);
    }
    // The last k reads only the panel's 6 floats: 8 could run past the end of packed A.
    const __m256i six = _mm256_setr_epi32(-1, -1, -1, -1, -1, -1, 0, 0);
    __m256 bk = _mm256_broadcast_ss(b + k * NR);
    for (int p = 0; p < P; p++) acc[p] = fma_ab(_mm256_maskload_ps(a + p * stride + k * MR, six), bk, acc[p]);
    for (int p = 0; p < P; p++) _mm256_storeu_ps(out + p * 8, acc[p]);
}

__attribute__((target("avx2,fma")))
static void column_avx2(int kc, const float *a, const float *b, float *out, int P) {
    switch (P) {
    case 12: column_avx2_body(kc, a, b, out, 12); break;
    case 11: column_avx2_body(kc, a, b, out, 11); break;
    case 10: column_avx2_body(kc, a, b, out, 10); break;
    case 9: column_avx2_body(kc, a, b, out, 9); break;
    case 8: column_avx2_body(kc, a, b, out, 8); break;
    case 7: column_avx2_body(kc, a, b, out, 7); break;
    case 6: column_avx2_body(kc, a, b, out, 6); break;
    case 5: column_avx2_body(kc, a, b, out, 5); break;
    case 4: column_avx2_body(kc, a, b, out, 4); break;
    case 3: column_avx2_body(kc, a, b, out, 3); break;
    case 2: column_avx2_body(kc, a, b, out, 2); break;
    default: column_avx2_body(kc, a, b, out, 1); break;
    }
}

// One MC×kc block of packed A times one B panel (cols ≤ 16 columns of C at cp), its rows ldb
// floats apart: NR when packed, as a narrow tail always is.
__attribute__((target("avx2,fma")))
static void panels_avx2(int kc, int mc, const float *block_a, const float *bp, int ldb, float *cp, int ldc, int cols,
                        const epilogue *tile) {
    if (cols < COLUMN_TAIL) {
        // Narrow N tail: column by column, every panel of the block at once.
        int panels = 0;
        for (int ir = 0; ir < mc; ir += panel_rows(mc - ir)) panels++;
        float sums[12][MR * NR];
        for (int c = 0; c < cols; c++) {
            float col[12 * 8];
            column_avx2(kc, block_a, bp + c, col, panels);
            for (int p = 0; p < panels; p++)
                for (int r = 0; r < MR; r++) sums[p][r * NR + c] = col[p * 8 + r];
        }
        for (int ir = 0, p = 0, rows; ir < mc; ir += rows, p++) {
            rows = panel_rows(mc - ir);
            epilogue rt = *tile;
            if (rt.bias) rt.bias += ir;
            store_block(sums[p], NR, cp + (size_t)ir * ldc, ldc, rows, cols, &rt);
        }
        return;
    }
    for (int ir = 0, p = 0, rows; ir < mc; ir += rows, p++) {
        rows = panel_rows(mc - ir);
        const float *ap = block_a + (size_t)p * kc * MR;
        epilogue rt = *tile;
        if (rt.bias) rt.bias += ir;
        if (rows > 4) kernel_avx2_6(kc, ap, bp, ldb, cp + (size_t)ir * ldc, ldc, rows, cols, &rt);
        else kernel_avx2_4(kc, ap, bp, ldb, cp + (size_t)ir * ldc, ldc, rows, cols, &rt);
    }
}

// One K block over row blocks [block0, block1) (packed A at `blocks`) and nc columns, with the
// first `full` columns' whole panels read in place from B (row stride ldb) and the rest packed
// in packed_b. Small K runs each A panel along all the panels; else panel by panel, as packed.
__attribute__((target("avx2,fma")))
static void in_place_avx2(int kc, int M, int block0, int block1, int nc, int full, const float *blocks,
                          const float *B, int ldb, const float *packed_b, float *C, int ldc, const epilogue *step) {
    int whole = nc % NR < COLUMN_TAIL ? nc / NR * NR : nc;  // columns for the micro-kernels
    for (int bm = block0; bm < block1; bm++) {
        int ic = bm * MC, mc = M - ic < MC ? M - ic : MC;
        const float *block_a = blocks + (size_t)bm * MC * KC;
        float *cb = C + (size_t)ic * ldc;
        epilogue tile = *step;
        if (tile.bias) tile.bias += ic;
        int jr = 0;
        if (kc <= SMALL_K) {
            for (int ir = 0, p = 0, rows; ir < mc; ir += rows, p++) {
                rows = panel_rows(mc - ir);
                const float *ap = block_a + (size_t)p * kc * MR;
                epilogue rt = tile;
                if (rt.bias) rt.bias += ir;
                float *cp = cb + (size_t)ir * ldc;
                if (rows > 4) { sweep_avx2_6(kc, ap, B, ldb, cp, ldc, rows, full / NR, &rt); continue; }
                for (int j = 0; j < full; j += NR) kernel_avx2_4(kc, ap, B + j, ldb, cp + j, ldc, rows, NR, &rt);
            }
            jr = full;
        }
        for (; jr < whole; jr += NR) {
            int cols = nc - jr < NR ? nc - jr : NR;
            if (jr < full) panels_avx2(kc, mc, block_a, B + jr, ldb, cb + jr, ldc, cols, &tile);
            else panels_avx2(kc, mc, block_a, packed_b + (size_t)(jr - full) / NR * kc * NR, NR, cb + jr, ldc, cols, &tile);
        }
        if (whole < nc)
            panels_avx2(kc, mc, block_a, packed_b + (size_t)(whole - full) / NR * kc * NR, NR, cb + whole, ldc, nc - whole, &tile);
    }
}

static int detect_avx2(void) {
    static int cached = -1;
    if (cached < 0) {
        __builtin_cpu_init();
        cached = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    }
    return cached;
}
#else
static int detect_avx2(void) { return 0; }
#endif

int ferry_sgemm_uses_avx2(void) { return detect_avx2() && !force_portable; }

size_t ferry_sgemm_packed_size(int M, int K) {
    size_t blocks_k = (size_t)(K + KC - 1) / KC, blocks_m = (size_t)(M + MC - 1) / MC;
    return blocks_k * blocks_m * MC * KC;
}

void ferry_sgemm_pack(int M, int K, const float *A, int lda, float *packed) {
    int blocks_m = (M + MC - 1) / MC;
    for (int pc = 0, bk = 0; pc < K; pc += KC, bk++) {
        int kc = K - pc < KC ? K - pc : KC;
        for (int ic = 0, bm = 0; ic < M; ic += MC, bm++) {
            int mc = M - ic < MC ? M - ic : MC;
            pack_a(mc, kc, A + (size_t)ic * lda + pc, lda, packed + ((size_t)bk * blocks_m + bm) * MC * KC);
        }
    }
}

// The blocked product over A packed by ferry_sgemm_pack (every KC×MC block), for the rows of
// the MC blocks [block0, block1) only (callers splitting rows across threads), under `e`.
// n values of C quantized and dequantized in place (fq: scale, zero point, low, high).
static inline void fake_quantize_row(float *row, int n, const float *fq) {
    ferry_fake_quantize_f32(row, row, n, fq[0], fq[1], fq[2], fq[3]);
}

static void sgemm_packed(int M, int N, int K, const float *packed_a, const float *B, int ldb,
                         float *C, int ldc, int b_transposed, int block0, int block1, epilogue e) {
    if (M <= 0 || N <= 0) return;
    int blocks_m = (M + MC - 1) / MC;
    if (block1 > blocks_m) block1 = blocks_m;
    if (block0 >= block1) return;
    if (K <= 0) {
        for (int i = block0 * MC; i < M && i < block1 * MC; i++) {
            float *row = C + (size_t)i * ldc;
            float v = e.bias ? e.bias[i] : 0.0f;
            for (int j = 0; j < N; j++) {
                float x = e.bias || !e.accumulate ? v : row[j];
                row[j] = e.clamp ? clamp_value(x, e.lo, e.hi) : x;
            }
            if (e.fake_quantize) fake_quantize_row(row, N, e.fake_quantize);
        }
        return;
    }
    int avx2 = ferry_sgemm_uses_avx2();
    int nc_max = N < NC ? N : NC;
    size_t b_size = sizeof(float) * (size_t)KC * (size_t)((nc_max + NR - 1) / NR * NR);
    float *packed_b = aligned_alloc(64, (b_size + 63) / 64 * 64);
    for (int jc = 0; jc < N; jc += NC) {
        int nc = N - jc < NC ? N - jc : NC;
        for (int pc = 0, bk = 0; pc < K; pc += KC, bk++) {
            int kc = K - pc < KC ? K - pc : KC;
            // The bias goes in with the first K block, the clamp with the last; blocks between add.
            epilogue step = e;
            if (pc > 0) { step.bias = NULL; step.accumulate = 1; }
            if (pc + kc < K) step.clamp = 0;
            // With one row block each B panel is used once, and with small K packing B costs about as
            // much as using it: then whole panels are read in place and only the rest is packed.
            int full = avx2 && !b_transposed && (block1 - block0 == 1 || kc <= SMALL_K) ? nc / NR * NR : 0;
            if (b_transposed) pack_bt(kc, nc, B + (size_t)jc * ldb + pc, ldb, packed_b);
            else if (full < nc) pack_b(kc, nc - full, B + (size_t)pc * ldb + jc + full, ldb, packed_b);
#if defined(__x86_64__)
            if (full) {
                in_place_avx2(kc, M, block0, block1, nc, full, packed_a + (size_t)bk * blocks_m * MC * KC,
                              B + (size_t)pc * ldb + jc, ldb, packed_b, C + jc, ldc, &step);
                continue;
            }
#endif
            for (int bm = block0; bm < block1; bm++) {
                int ic = bm * MC;
                int mc = M - ic < MC ? M - ic : MC;
                const float *block_a = packed_a + ((size_t)bk * blocks_m + bm) * MC * KC;
                for (int jr = 0; jr < nc; jr += NR) {
                    int cols = nc - jr < NR ? nc - jr : NR;
                    const float *bp = packed_b + (size_t)(jr / NR) * kc * NR;
                    float *cp = C + (size_t)ic * ldc + jc + jr;
                    epilogue tile = step;
                    if (tile.bias) tile.bias += ic;
#if defined(__x86_64__)
                    if (avx2) { panels_avx2(kc, mc, block_a, bp, NR, cp, ldc, cols, &tile); continue; }
#endif
                    for (int ir = 0, p = 0, rows; ir < mc; ir += rows, p++) {
                        rows = panel_rows(mc - ir);
                        const float *ap = block_a + (size_t)p * kc * MR;
                        epilogue rt = tile;
                        if (rt.bias) rt.bias += ir;
                        kernel_portable(kc, ap, bp, cp + (size_t)ir * ldc, ldc, rows, cols, &rt);
                    }
                }
            }
        }
        if (e.fake_quantize)
            for (int i = block0 * MC; i < M && i < block1 * MC; i++) fake_quantize_row(C + (size_t)i * ldc + jc, nc, e.fake_quantize);
    }
    free(packed_b);
}

static epilogue plain(int accumulate) {
    epilogue e = {NULL, accumulate, 0, 0.0f, 0.0f, NULL};
    return e;
}

static void sgemm(int M, int N, int K, const float *A, int lda, const float *B, int ldb,
                  float *C, int ldc, int accumulate, int b_transposed) {
    if (M <= 0 || N <= 0) return;
    float *packed_a = aligned_alloc(64, sizeof(float) * (ferry_sgemm_packed_size(M, K > 0 ? K : 1)));
    ferry_sgemm_pack(M, K, A, lda, packed_a);
    sgemm_packed(M, N, K, packed_a, B, ldb, C, ldc, b_transposed, 0, (M + MC - 1) / MC, plain(accumulate));
    free(packed_a);
}

void ferry_sgemm_prepacked(int M, int N, int K, const float *packed_a, const float *B, int ldb,
                           float *C, int ldc, int accumulate) {
    sgemm_packed(M, N, K, packed_a, B, ldb, C, ldc, 0, 0, (M + MC - 1) / MC, plain(accumulate));
}

void ferry_sgemm_prepacked_bias(int M, int N, int K, const float *packed_a, const float *B, int ldb,
                                float *C, int ldc, const float *bias, int clamp, float lo, float hi,
                                int block0, int block1) {
    epilogue e = {bias, 0, clamp, lo, hi, NULL};
    sgemm_packed(M, N, K, packed_a, B, ldb, C, ldc, 0, block0, block1, e);
}

void ferry_sgemm_prepacked_bias_fq(int M, int N, int K, const float *packed_a, const float *B, int ldb,
                                   float *C, int ldc, const float *bias, int clamp, float lo, float hi,
                                   int block0, int block1, const float *fake_quantize) {
    epilogue e = {bias, 0, clamp, lo, hi, fake_quantize};
    sgemm_packed(M, N, K, packed_a, B, ldb, C, ldc, 0, block0, block1, e);
}

void ferry_sgemm(int M, int N, int K, const float *A, int lda, const float *B, int ldb,
                 float *C, int ldc, int accumulate) {
    sgemm(M, N, K, A, lda, B, ldb, C, ldc, accumulate, 0);
}

void ferry_sgemm_bt(int M, int N, int K, const float *A, int lda, const float *Bt, int ldb,
                    float *C, int ldc, int accumulate) {
    sgemm(M, N, K, A, lda, Bt, ldb, C, ldc, accumulate, 1);
}

#if defined(__x86_64__) && defined(__linux__)
__attribute__((target_clones("avx2", "default")))
#endif
void ferry_sgemv_bt(int N, int K, const float *a, const float *Bt, int ldb, float *c) {
    for (int j = 0; j < N; j++) {
        const float *row = Bt + (size_t)j * ldb;
        float lanes[8] = {0, 0, 0, 0, 0, 0, 0, 0};
        int k = 0;
        for (; k + 8 <= K; k += 8)
            for (int l = 0; l < 8; l++) lanes[l] += a[k + l] * row[k + l];
        for (; k < K; k++) lanes[k & 7] += a[k] * row[k];
        c[j] = ((lanes[0] + lanes[1]) + (lanes[2] + lanes[3])) + ((lanes[4] + lanes[5]) + (lanes[6] + lanes[7]));
    }
}
