#include "ferry_qkernels.h"
#include <float.h>
#include <math.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

void ferry_quantize_multiplier(double real, int32_t *multiplier, int *shift, int single_rounding) {
    if (real == 0.0) { *multiplier = 0; *shift = 0; return; }
    int exponent = 0;
    const double q = frexp(real, &exponent);
    int64_t q_fixed = (int64_t)round(q * (double)(1LL << 31));
    if (q_fixed == (1LL << 31)) { q_fixed /= 2; ++exponent; }
    if (exponent < -31) { exponent = 0; q_fixed = 0; }
    if (single_rounding && exponent > 30) { exponent = 30; q_fixed = (1LL << 31) - 1; }
    *multiplier = (int32_t)q_fixed;
    *shift = exponent;
}

static inline int32_t saturating_rounding_doubling_high_mul(int32_t a, int32_t b) {
    const int overflow = a == b && a == INT32_MIN;
    const int64_t ab = (int64_t)a * (int64_t)b;
    const int32_t nudge = ab >= 0 ? (1 << 30) : (1 - (1 << 30));
    const int32_t high = (int32_t)((ab + nudge) / (1LL << 31));
    return overflow ? INT32_MAX : high;
}

static inline int32_t rounding_divide_by_pot(int32_t x, int exponent) {
    const int32_t mask = (int32_t)((1LL << exponent) - 1);
    const int32_t remainder = x & mask;
    const int32_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
    return (x >> exponent) + (remainder > threshold ? 1 : 0);
}

static inline int32_t multiply_by_quantized_multiplier(int32_t x, int32_t multiplier, int shift, int single_rounding) {
    if (single_rounding) {
        const int64_t total_shift = 31 - shift;
        const int64_t rounding = (int64_t)1 << (total_shift - 1);
        int64_t result = (int64_t)x * (int64_t)multiplier + rounding;
        return (int32_t)(result >> total_shift);
    }
    const int left_shift = shift > 0 ? shift : 0;
    const int right_shift = shift > 0 ? 0 : -shift;
    return rounding_divide_by_pot(saturating_rounding_doubling_high_mul((int32_t)((uint32_t)x << left_shift), multiplier), right_shift);
}

int32_t ferry_multiply_by_quantized_multiplier(int32_t x, int32_t multiplier, int shift, int single_rounding) {
    return multiply_by_quantized_multiplier(x, multiplier, shift, single_rounding);
}

int32_t ferry_multiply_by_quantized_multiplier64(int64_t x, int32_t multiplier, int shift) {
    const int32_t reduced = multiplier < 0x7FFF0000 ? ((multiplier + (1 << 15)) >> 16) : 0x7FFF;
    const int64_t total_shift = 15 - shift;
    const int64_t rounding = (int64_t)1 << (total_shift - 1);
    int64_t result = x * (int64_t)reduced + rounding;
    return (int32_t)(result >> total_shift);
}

static inline int8_t clamp_s8(int32_t v, int32_t lo, int32_t hi) {
    return (int8_t)(v < lo ? lo : (v > hi ? hi : v));
}

void ferry_qconv2d_s8(const int8_t *input, const int8_t *weights, const int32_t *bias, int8_t *output,
                      int channels, int height, int width, int out_channels, int group,
                      int kernel_h, int kernel_w, int pad_top, int pad_left,
                      int stride_h, int stride_w, int dilation_h, int dilation_w, int out_h, int out_w,
                      int32_t input_offset, int32_t output_offset,
                      const int32_t *multipliers, const int32_t *shifts,
                      int32_t act_min, int32_t act_max, int single_rounding,
                      int channel_begin, int channel_end) {
    const int cin_g = channels / group, cout_g = out_channels / group;
    for (int m = channel_begin; m < channel_end; ++m) {
        const int g = m / cout_g;
        const int8_t *w = weights + (long)m * cin_g * kernel_h * kernel_w;
        int8_t *out = output + (long)m * out_h * out_w;
        for (int oy = 0; oy < out_h; ++oy) {
            for (int ox = 0; ox < out_w; ++ox) {
                int32_t acc = 0;
                const int iy0 = oy * stride_h - pad_top, ix0 = ox * stride_w - pad_left;
                for (int c = 0; c < cin_g; ++c) {
                    const int8_t *plane = input + (long)(g * cin_g + c) * height * width;
                    const int8_t *wc = w + (long)c * kernel_h * kernel_w;
                    for (int ky = 0; ky < kernel_h; ++ky) {
                        const int iy = iy0 + ky * dilation_h;
                        if (iy < 0 || iy >= height) continue;
                        for (int kx = 0; kx < kernel_w; ++kx) {
                            const int ix = ix0 + kx * dilation_w;
                            if (ix < 0 || ix >= width) continue;
                            acc += (int32_t)wc[ky * kernel_w + kx] * ((int32_t)plane[iy * width + ix] + input_offset);
                        }
                    }
                }
                if (bias) acc += bias[m];
                acc = ferry_multiply_by_quantized_multiplier(acc, multipliers[m], shifts[m], single_rounding);
                acc += output_offset;
                out[oy * out_w + ox] = clamp_s8(acc, act_min, act_max);
            }
        }
    }
}

void ferry_qfully_connected_s8(const int8_t *input, const int8_t *weights, const int32_t *bias, int8_t *output,
                               int batches, int depth, int outputs,
                               int32_t input_offset, int32_t output_offset,
                               const int32_t *multipliers, const int32_t *shifts,
                               int32_t act_min, int32_t act_max, int single_rounding,
                               int row_begin, int row_end) {
    for (int b = row_begin; b < row_end; ++b) {
        const int8_t *x = input + (long)b * depth;
        for (int n = 0; n < outputs; ++n) {
            const int8_t *w = weights + (long)n * depth;
            int32_t acc = 0;
            for (int d = 0; d < depth; ++d) acc += (int32_t)w[d] * ((int32_t)x[d] + input_offset);
            if (bias) acc += bias[n];
            acc = ferry_multiply_by_quantized_multiplier(acc, multipliers[n], shifts[n], single_rounding);
            acc += output_offset;
            output[(long)b * outputs + n] = clamp_s8(acc, act_min, act_max);
        }
    }
}

void ferry_qim2col_s8(const int8_t *input, int8_t *col, int channels, int height, int width,
                      int kernel_h, int kernel_w, int pad_top, int pad_left, int stride_h, int stride_w,
                      int dilation_h, int dilation_w, int out_h, int out_w, int8_t pad_value) {
    const long positions = (long)out_h * out_w;
    for (int c = 0; c < channels; ++c) {
        const int8_t *plane = input + (long)c * height * width;
        for (int ky = 0; ky < kernel_h; ++ky) {
            for (int kx = 0; kx < kernel_w; ++kx) {
                int8_t *row = col + ((long)(c * kernel_h + ky) * kernel_w + kx) * positions;
                for (int oy = 0; oy < out_h; ++oy) {
                    const int iy = oy * stride_h - pad_top + ky * dilation_h;
                    int8_t *dst = row + (long)oy * out_w;
                    if (iy < 0 || iy >= height) { memset(dst, pad_value, (size_t)out_w); continue; }
                    const int8_t *src = plane + (long)iy * width;
                    for (int ox = 0; ox < out_w; ++ox) {
                        const int ix = ox * stride_w - pad_left + kx * dilation_w;
                        dst[ox] = (ix < 0 || ix >= width) ? pad_value : src[ix];
                    }
                }
            }
        }
    }
}

/* acc[0..n) += w0·c0 + w1·c1 + w2·c2 + w3·c3: int8 products summed in int32 (exact). */
#define FERRY_QGEMM_BODY                                                                          \
    for (int p0 = 0; p0 < P; p0 += TILE) {                                                        \
        const int n = P - p0 < TILE ? P - p0 : TILE;                                              \
        for (int m = m_begin; m < m_end; ++m) {                                                   \
            const int8_t *w = weights + (long)m * K;                                              \
            int32_t start = bias ? bias[m] : 0;                                                   \
            int32_t rowsum = 0;                                                                   \
            for (int k = 0; k < K; ++k) rowsum += w[k];                                           \
            start += input_offset * rowsum;                                                       \
            for (int i = 0; i < n; ++i) acc[i] = start;                                           \
            int k = 0;                                                                            \
            for (; k + 4 <= K; k += 4) {                                                          \
                const int32_t w0 = w[k], w1 = w[k + 1], w2 = w[k + 2], w3 = w[k + 3];             \
                const int8_t *c0 = col + (long)k * P + p0, *c1 = c0 + P, *c2 = c1 + P, *c3 = c2 + P; \
                for (int i = 0; i < n; ++i)                                                       \
                    acc[i] += w0 * c0[i] + w1 * c1[i] + w2 * c2[i] + w3 * c3[i];                  \
            }                                                                                     \
            for (; k < K; ++k) {                                                                  \
                const int32_t w0 = w[k];                                                          \
                const int8_t *c0 = col + (long)k * P + p0;                                        \
                for (int i = 0; i < n; ++i) acc[i] += w0 * c0[i];                                 \
            }                                                                                     \
            int8_t *out = output + (long)m * P + p0;                                              \
            for (int i = 0; i < n; ++i) {                                                         \
                int32_t v = multiply_by_quantized_multiplier(acc[i], multipliers[m], shifts[m], single_rounding); \
                out[i] = clamp_s8(v + output_offset, act_min, act_max);                          \
            }                                                                                     \
        }                                                                                         \
    }

enum { TILE = 512 };

static void qgemm_generic(const int8_t *weights, const int8_t *col, const int32_t *bias, int8_t *output, int K, int P,
                          int32_t input_offset, int32_t output_offset, const int32_t *multipliers, const int32_t *shifts,
                          int32_t act_min, int32_t act_max, int single_rounding, int m_begin, int m_end) {
    int32_t acc[TILE];
    FERRY_QGEMM_BODY
}

#if defined(__x86_64__)
#include <immintrin.h>

/* SaturatingRoundingDoublingHighMul's rounding of 64-bit products, then the division by 2^31
   that truncates toward zero: bits 31..62 are the result, whatever the shift's sign fill. */
__attribute__((target("avx2")))
static inline __m256i srdhm_round64(__m256i ab) {
    const __m256i zero = _mm256_setzero_si256();
    const __m256i nudge = _mm256_blendv_epi8(_mm256_set1_epi64x(1LL << 30), _mm256_set1_epi64x(1 - (1LL << 30)),
                                             _mm256_cmpgt_epi64(zero, ab));
    __m256i v = _mm256_add_epi64(ab, nudge);
    v = _mm256_add_epi64(v, _mm256_and_si256(_mm256_cmpgt_epi64(zero, v), _mm256_set1_epi64x((1LL << 31) - 1)));
    return _mm256_srli_epi64(v, 31);
}

/* multiply_by_quantized_multiplier (double rounding) on eight lanes; multiplier >= 0. */
__attribute__((target("avx2")))
static inline __m256i requant8_double(__m256i x, int32_t multiplier, int shift) {
    const int left = shift > 0 ? shift : 0, right = shift > 0 ? 0 : -shift;
    x = _mm256_sll_epi32(x, _mm_cvtsi32_si128(left));
    const __m256i m = _mm256_set1_epi32(multiplier);
    const __m256i even = srdhm_round64(_mm256_mul_epi32(x, m));
    const __m256i odd = srdhm_round64(_mm256_mul_epi32(_mm256_srli_epi64(x, 32), m));
    __m256i high = _mm256_blend_epi32(even, _mm256_slli_epi64(odd, 32), 0xAA);
    if (right > 0) {
        const __m256i one = _mm256_set1_epi32(1);
        const __m256i mask = _mm256_set1_epi32((int32_t)((1LL << right) - 1));
        const __m256i remainder = _mm256_and_si256(high, mask);
        const __m256i threshold = _mm256_add_epi32(_mm256_srai_epi32(mask, 1),
                                                   _mm256_and_si256(_mm256_cmpgt_epi32(_mm256_setzero_si256(), high), one));
        high = _mm256_add_epi32(_mm256_sra_epi32(high, _mm_cvtsi32_si128(right)),
                                _mm256_and_si256(_mm256_cmpgt_epi32(remainder, threshold), one));
    }
    return high;
}

/* out[0..n) = clamp(requant(sums[i] + start) + offset) as int8; eight lanes at a time with
   double rounding, the scalar function for single rounding and the tail. */
__attribute__((target("avx2")))
static inline void requant_row_avx2(const int32_t *sums, int n, int32_t start, int32_t multiplier, int shift,
                                    int single_rounding, int32_t output_offset, int32_t act_min, int32_t act_max,
                                    int8_t *out) {
    int i = 0;
    if (!single_rounding) {
        const __m256i base = _mm256_set1_epi32(start), offset = _mm256_set1_epi32(output_offset);
        const __m256i lo = _mm256_set1_epi32(act_min), hi = _mm256_set1_epi32(act_max);
        for (; i + 8 <= n; i += 8) {
            __m256i v = requant8_double(_mm256_add_epi32(_mm256_loadu_si256((const __m256i *)(sums + i)), base), multiplier, shift);
            v = _mm256_min_epi32(_mm256_max_epi32(_mm256_add_epi32(v, offset), lo), hi);
            const __m256i p16 = _mm256_packs_epi32(v, v);
            const __m256i p8 = _mm256_packs_epi16(p16, p16);
            const int32_t first = _mm256_cvtsi256_si32(p8), second = _mm_cvtsi128_si32(_mm256_extracti128_si256(p8, 1));
            memcpy(out + i, &first, 4);
            memcpy(out + i + 4, &second, 4);
        }
    }
    for (; i < n; ++i) {
        const int32_t v = multiply_by_quantized_multiplier(sums[i] + start, multiplier, shift, single_rounding);
        out[i] = clamp_s8(v + output_offset, act_min, act_max);
    }
}

/* The AVX2 GEMM: columns are packed once per call into panels of 16 positions holding, for
   each pair of rows (k, k+1), the int16 pairs (c[k][p], c[k+1][p]) in the order
   _mm256_madd_epi16 reads them; each weight pair is broadcast and multiplied into four output
   channels at once. Products of int8 values summed in int32 are exact, so the sums are the
   scalar kernel's to the bit. */
__attribute__((target("avx2")))
static void qgemm_avx2(const int8_t *weights, const int8_t *col, const int32_t *bias, int8_t *output, int K, int P,
                       int32_t input_offset, int32_t output_offset, const int32_t *multipliers, const int32_t *shifts,
                       int32_t act_min, int32_t act_max, int single_rounding, int m_begin, int m_end) {
    const int KP = (K + 1) / 2;            /* row pairs */
    const int tiles = P / 16;              /* whole panels; the rest goes through the scalar path */
    int16_t *panels = (int16_t *)aligned_alloc(32, (size_t)(tiles > 0 ? tiles : 1) * KP * 32 * sizeof(int16_t));
    int32_t *pairs = (int32_t *)malloc(sizeof(int32_t) * 4 * (size_t)KP);
    if (!panels || !pairs) abort(); /* as Swift's allocations trap */
    const __m128i zero16 = _mm_setzero_si128();
    for (int t = 0; t < tiles; ++t) {
        int16_t *panel = panels + (long)t * KP * 32;
        for (int kp = 0; kp < KP; ++kp) {
            const int k = 2 * kp;
            const __m128i a = _mm_loadu_si128((const __m128i *)(col + (long)k * P + t * 16));
            const __m128i b = k + 1 < K ? _mm_loadu_si128((const __m128i *)(col + (long)(k + 1) * P + t * 16)) : zero16;
            const __m256i a16 = _mm256_cvtepi8_epi16(a), b16 = _mm256_cvtepi8_epi16(b);
            _mm256_store_si256((__m256i *)(panel + kp * 32), _mm256_unpacklo_epi16(a16, b16));
            _mm256_store_si256((__m256i *)(panel + kp * 32 + 16), _mm256_unpackhi_epi16(a16, b16));
        }
    }
    for (int m0 = m_begin; m0 < m_end; m0 += 4) {
        const int mb = m_end - m0 < 4 ? m_end - m0 : 4;
        int32_t start[4] = {0, 0, 0, 0};
        for (int j = 0; j < 4; ++j) {
            for (int kp = 0; kp < KP; ++kp) pairs[j * KP + kp] = 0;
            if (j >= mb) continue;
            const int8_t *w = weights + (long)(m0 + j) * K;
            int32_t rowsum = 0;
            for (int k = 0; k < K; ++k) rowsum += w[k];
            start[j] = (bias ? bias[m0 + j] : 0) + input_offset * rowsum;
            for (int kp = 0; kp < KP; ++kp) {
                const int16_t lo = w[2 * kp], hi = 2 * kp + 1 < K ? w[2 * kp + 1] : 0;
                pairs[j * KP + kp] = (int32_t)(((uint32_t)(uint16_t)hi << 16) | (uint16_t)lo);
            }
        }
        for (int t = 0; t < tiles; ++t) {
            const int16_t *panel = panels + (long)t * KP * 32;
            __m256i a0l = _mm256_setzero_si256(), a0h = a0l, a1l = a0l, a1h = a0l, a2l = a0l, a2h = a0l, a3l = a0l, a3h = a0l;
            for (int kp = 0; kp < KP; ++kp) {
                const __m256i lo = _mm256_load_si256((const __m256i *)(panel + kp * 32));
                const __m256i hi = _mm256_load_si256((const __m256i *)(panel + kp * 32 + 16));
                const __m256i w0 = _mm256_set1_epi32(pairs[kp]), w1 = _mm256_set1_epi32(pairs[KP + kp]);
                const __m256i w2 = _mm256_set1_epi32(pairs[2 * KP + kp]), w3 = _mm256_set1_epi32(pairs[3 * KP + kp]);
                a0l = _mm256_add_epi32(a0l, _mm256_madd_epi16(lo, w0)); a0h = _mm256_add_epi32(a0h, _mm256_madd_epi16(hi, w0));
                a1l = _mm256_add_epi32(a1l, _mm256_madd_epi16(lo, w1)); a1h = _mm256_add_epi32(a1h, _mm256_madd_epi16(hi, w1));
                a2l = _mm256_add_epi32(a2l, _mm256_madd_epi16(lo, w2)); a2h = _mm256_add_epi32(a2h, _mm256_madd_epi16(hi, w2));
                a3l = _mm256_add_epi32(a3l, _mm256_madd_epi16(lo, w3)); a3h = _mm256_add_epi32(a3h, _mm256_madd_epi16(hi, w3));
            }
            /* unpacklo holds positions 0-3 and 8-11, unpackhi 4-7 and 12-15 */
            int32_t sums[4][16];
            const __m256i ls[4] = {a0l, a1l, a2l, a3l}, hs[4] = {a0h, a1h, a2h, a3h};
            for (int j = 0; j < mb; ++j) {
                _mm256_storeu_si256((__m256i *)sums[j], _mm256_permute2x128_si256(ls[j], hs[j], 0x20));
                _mm256_storeu_si256((__m256i *)(sums[j] + 8), _mm256_permute2x128_si256(ls[j], hs[j], 0x31));
                const int m = m0 + j;
                requant_row_avx2(sums[j], 16, start[j], multipliers[m], shifts[m], single_rounding, output_offset,
                                 act_min, act_max, output + (long)m * P + t * 16);
            }
        }
        /* positions past the last whole panel */
        for (int j = 0; j < mb; ++j) {
            const int m = m0 + j;
            const int8_t *w = weights + (long)m * K;
            for (int p = tiles * 16; p < P; ++p) {
                int32_t acc = start[j];
                for (int k = 0; k < K; ++k) acc += (int32_t)w[k] * col[(long)k * P + p];
                const int32_t v = multiply_by_quantized_multiplier(acc, multipliers[m], shifts[m], single_rounding);
                output[(long)m * P + p] = clamp_s8(v + output_offset, act_min, act_max);
            }
        }
    }
    free(panels);
    free(pairs);
}
#endif

void ferry_qgemm_requant_s8(const int8_t *weights, const int8_t *col, const int32_t *bias, int8_t *output, int K, int P,
                            int32_t input_offset, int32_t output_offset, const int32_t *multipliers, const int32_t *shifts,
                            int32_t act_min, int32_t act_max, int single_rounding, int m_begin, int m_end) {
#if defined(__x86_64__)
    static int avx2 = -1;
    if (avx2 < 0) avx2 = __builtin_cpu_supports("avx2") ? 1 : 0;
    if (avx2) {
        qgemm_avx2(weights, col, bias, output, K, P, input_offset, output_offset, multipliers, shifts, act_min, act_max,
                   single_rounding, m_begin, m_end);
        return;
    }
#endif
    qgemm_generic(weights, col, bias, output, K, P, input_offset, output_offset, multipliers, shifts, act_min, act_max,
                  single_rounding, m_begin, m_end);
}

/* The depthwise kernel works on one channel's plane padded with the input zero point (whose
   taps add nothing once the input offset applies, as TFLite's loop bounds leave them out), so
   every output row is a sum of whole shifted rows: acc[ox] += w * x[ox * stride], which the
   compiler vectorizes. The input offset is folded into the bias (offset · Σw), so the sums are
   exactly TFLite's. */
#define FERRY_QDEPTHWISE_BODY                                                                     \
    const int ph = (out_h - 1) * stride_h + (kernel_h - 1) * dilation_h + 1;                      \
    const int pw = (out_w - 1) * stride_w + (kernel_w - 1) * dilation_w + 1;                      \
    int8_t *padded = (int8_t *)malloc((size_t)ph * pw);                                           \
    int32_t *acc = (int32_t *)malloc(sizeof(int32_t) * (size_t)out_w);                            \
    if (!padded || !acc) abort(); /* as Swift's allocations trap */                                  \
    const int8_t pad_value = (int8_t)(-input_offset);                                             \
    int loaded = -1;                                                                              \
    for (int m = channel_begin; m < channel_end; ++m) {                                           \
        const int c = m / multiplier;                                                             \
        if (c != loaded) {                                                                        \
            const int8_t *plane = input + (long)c * height * width;                               \
            const int x_lo = pad_left < 0 ? 0 : pad_left;                                         \
            for (int py = 0; py < ph; ++py) {                                                     \
                int8_t *dst = padded + (long)py * pw;                                             \
                const int iy = py - pad_top;                                                      \
                memset(dst, pad_value, (size_t)pw);                                               \
                if (iy < 0 || iy >= height) continue;                                             \
                /* columns px with ix = px - pad_left inside [0, width) */                        \
                const int ix_begin = pad_left < 0 ? -pad_left : 0;                                \
                int count = width - ix_begin;                                                     \
                if (count > pw - x_lo) count = pw - x_lo;                                         \
                if (count > 0) memcpy(dst + x_lo, plane + (long)iy * width + ix_begin, (size_t)count); \
            }                                                                                     \
            loaded = c;                                                                           \
        }                                                                                         \
        const int8_t *w = weights + (long)m * kernel_h * kernel_w;                                \
        int32_t wsum = 0;                                                                         \
        for (int k = 0; k < kernel_h * kernel_w; ++k) wsum += w[k];                               \
        const int32_t base = (bias ? bias[m] : 0) + input_offset * wsum;                          \
        const int32_t mult = multipliers[m];                                                      \
        const int sh = shifts[m];                                                                 \
        int8_t *out = output + (long)m * out_h * out_w;                                           \
        for (int oy = 0; oy < out_h; ++oy) {                                                      \
            for (int ox = 0; ox < out_w; ++ox) acc[ox] = base;                                    \
            for (int ky = 0; ky < kernel_h; ++ky) {                                               \
                const int8_t *row = padded + (long)(oy * stride_h + ky * dilation_h) * pw;        \
                for (int kx = 0; kx < kernel_w; ++kx) {                                           \
                    const int32_t wv = w[ky * kernel_w + kx];                                     \
                    const int8_t *src = row + kx * dilation_w;                                    \
                    if (stride_w == 1) {                                                          \
                        for (int ox = 0; ox < out_w; ++ox) acc[ox] += wv * (int32_t)src[ox];      \
                    } else if (stride_w == 2) {                                                   \
                        for (int ox = 0; ox < out_w; ++ox) acc[ox] += wv * (int32_t)src[2 * ox];  \
                    } else {                                                                      \
                        for (int ox = 0; ox < out_w; ++ox) acc[ox] += wv * (int32_t)src[ox * stride_w]; \
                    }                                                                             \
                }                                                                                 \
            }                                                                                     \
            QDEPTHWISE_REQUANT_ROW(out + (long)oy * out_w)                                        \
        }                                                                                         \
    }                                                                                             \
    free(padded);                                                                                 \
    free(acc);

#define FERRY_QDEPTHWISE_PARAMS                                                                   \
    const int8_t *input, const int8_t *weights, const int32_t *bias, int8_t *output,              \
    int channels, int height, int width, int multiplier,                                          \
    int kernel_h, int kernel_w, int pad_top, int pad_left,                                        \
    int stride_h, int stride_w, int dilation_h, int dilation_w, int out_h, int out_w,             \
    int32_t input_offset, int32_t output_offset,                                                  \
    const int32_t *multipliers, const int32_t *shifts,                                            \
    int32_t act_min, int32_t act_max, int single_rounding,                                        \
    int channel_begin, int channel_end

#define QDEPTHWISE_REQUANT_ROW(dst)                                                               \
    for (int ox = 0; ox < out_w; ++ox) {                                                          \
        const int32_t v = multiply_by_quantized_multiplier(acc[ox], mult, sh, single_rounding);   \
        (dst)[ox] = clamp_s8(v + output_offset, act_min, act_max);                                \
    }
static void qdepthwise_generic(FERRY_QDEPTHWISE_PARAMS) { (void)channels; FERRY_QDEPTHWISE_BODY }
#undef QDEPTHWISE_REQUANT_ROW
#if defined(__x86_64__)
#define QDEPTHWISE_REQUANT_ROW(dst) \
    requant_row_avx2(acc, out_w, 0, mult, sh, single_rounding, output_offset, act_min, act_max, (dst));
__attribute__((target("avx2")))
static void qdepthwise_avx2(FERRY_QDEPTHWISE_PARAMS) { (void)channels; FERRY_QDEPTHWISE_BODY }
#undef QDEPTHWISE_REQUANT_ROW
#endif

void ferry_qdepthwise_s8(FERRY_QDEPTHWISE_PARAMS) {
#if defined(__x86_64__)
    if (__builtin_cpu_supports("avx2")) {
        qdepthwise_avx2(input, weights, bias, output, channels, height, width, multiplier, kernel_h, kernel_w,
                               pad_top, pad_left, stride_h, stride_w, dilation_h, dilation_w, out_h, out_w,
                               input_offset, output_offset, multipliers, shifts, act_min, act_max, single_rounding,
                               channel_begin, channel_end);
        return;
    }
#endif
    qdepthwise_generic(input, weights, bias, output, channels, height, width, multiplier, kernel_h, kernel_w,
                              pad_top, pad_left, stride_h, stride_w, dilation_h, dilation_w, out_h, out_w,
                              input_offset, output_offset, multipliers, shifts, act_min, act_max, single_rounding,
                              channel_begin, channel_end);
}

/* Sums for drift metrics over float pairs, four independent lanes of each sum in double (the
   compiler keeps the lanes in vector registers); lanes are combined in a fixed order, so the
   result does not depend on anything but the data. Returns 1 when a pair holds a NaN or an
   infinity that the caller must handle element by element: exactly when a sum of squares is
   not finite (a float's square in double is at most 1.2e77, so finite values never overflow). */
#define FERRY_PAIR_SUMS_BODY                                                                      \
    double mx[4] = {0, 0, 0, 0}, sa[4] = {0, 0, 0, 0}, dd[4] = {0, 0, 0, 0};                      \
    double rr[4] = {0, 0, 0, 0}, cc[4] = {0, 0, 0, 0}, rc[4] = {0, 0, 0, 0};                      \
    long i = 0;                                                                                   \
    for (; i + 4 <= n; i += 4) {                                                                  \
        for (int l = 0; l < 4; ++l) {                                                             \
            const double x = a[i + l], y = b[i + l], d = x - y, e = d < 0 ? -d : d;               \
            mx[l] = e > mx[l] ? e : mx[l];                                                        \
            sa[l] += e; dd[l] += d * d; rr[l] += x * x; cc[l] += y * y; rc[l] += x * y;           \
        }                                                                                         \
    }                                                                                             \
    for (; i < n; ++i) {                                                                          \
        const double x = a[i], y = b[i], d = x - y, e = d < 0 ? -d : d;                           \
        mx[0] = e > mx[0] ? e : mx[0];                                                            \
        sa[0] += e; dd[0] += d * d; rr[0] += x * x; cc[0] += y * y; rc[0] += x * y;               \
    }                                                                                             \
    out[0] = mx[0]; for (int l = 1; l < 4; ++l) out[0] = mx[l] > out[0] ? mx[l] : out[0];         \
    out[1] = (sa[0] + sa[1]) + (sa[2] + sa[3]);                                                   \
    out[2] = (dd[0] + dd[1]) + (dd[2] + dd[3]);                                                   \
    out[3] = (rr[0] + rr[1]) + (rr[2] + rr[3]);                                                   \
    out[4] = (cc[0] + cc[1]) + (cc[2] + cc[3]);                                                   \
    out[5] = (rc[0] + rc[1]) + (rc[2] + rc[3]);                                                   \
    return isfinite(out[3]) && isfinite(out[4]) ? 0 : 1;

static int pair_sums_generic(const float *a, const float *b, long n, double *out) { FERRY_PAIR_SUMS_BODY }
#if defined(__x86_64__)
#include <immintrin.h>
/* FERRY_PAIR_SUMS_BODY with its four lanes in one register each, written out because the
   compiler leaves the branchy lanes scalar: the same operations on the same lanes, so the same
   bits. */
__attribute__((target("avx2")))
static int pair_sums_avx2(const float *a, const float *b, long n, double *out) {
    __m256d mx = _mm256_setzero_pd(), sa = mx, dd = mx, rr = mx, cc = mx, rc = mx;
    const __m256d sign = _mm256_set1_pd(-0.0);
    long i = 0;
    for (; i + 4 <= n; i += 4) {
        const __m256d x = _mm256_cvtps_pd(_mm_loadu_ps(a + i)), y = _mm256_cvtps_pd(_mm_loadu_ps(b + i));
        const __m256d d = _mm256_sub_pd(x, y);
        /* |d| by its sign bit: it differs from d < 0 ? -d : d only for d = -0 (+0 here), which
           leaves the maximum and the sum (never -0, starting from +0) as they were; NaN and
           infinity go the caller's element-wise way. max_pd(e, mx) is e > mx ? e : mx. */
        const __m256d e = _mm256_andnot_pd(sign, d);
        mx = _mm256_max_pd(e, mx);
        sa = _mm256_add_pd(sa, e);
        dd = _mm256_add_pd(dd, _mm256_mul_pd(d, d));
        rr = _mm256_add_pd(rr, _mm256_mul_pd(x, x));
        cc = _mm256_add_pd(cc, _mm256_mul_pd(y, y));
        rc = _mm256_add_pd(rc, _mm256_mul_pd(x, y));
    }
    double lanes[6][4];
    _mm256_storeu_pd(lanes[0], mx); _mm256_storeu_pd(lanes[1], sa); _mm256_storeu_pd(lanes[2], dd);
    _mm256_storeu_pd(lanes[3], rr); _mm256_storeu_pd(lanes[4], cc); _mm256_storeu_pd(lanes[5], rc);
    for (; i < n; ++i) {
        const double x = a[i], y = b[i], d = x - y, e = d < 0 ? -d : d;
        lanes[0][0] = e > lanes[0][0] ? e : lanes[0][0];
        lanes[1][0] += e; lanes[2][0] += d * d; lanes[3][0] += x * x; lanes[4][0] += y * y; lanes[5][0] += x * y;
    }
    out[0] = lanes[0][0]; for (int l = 1; l < 4; ++l) out[0] = lanes[0][l] > out[0] ? lanes[0][l] : out[0];
    for (int s = 1; s < 6; ++s) out[s] = (lanes[s][0] + lanes[s][1]) + (lanes[s][2] + lanes[s][3]);
    return isfinite(out[3]) && isfinite(out[4]) ? 0 : 1;
}
#endif

int ferry_pair_sums(const float *a, const float *b, long n, double *out) {
#if defined(__x86_64__)
    if (__builtin_cpu_supports("avx2")) return pair_sums_avx2(a, b, n, out);
#endif
    return pair_sums_generic(a, b, n, out);
}

/* 16x8: int16 activations (zero point 0), int8 weights, int64 bias and accumulator,
   requantized by the 64-bit MultiplyByQuantizedMultiplier (TFLite's reference
   ConvPerChannel / DepthwiseConvPerChannel / FullyConnected for int16 inputs). */
static inline int16_t clamp_s16(int32_t v, int32_t lo, int32_t hi) {
    return (int16_t)(v < lo ? lo : (v > hi ? hi : v));
}

void ferry_qconv2d_s16(const int16_t *input, const int8_t *weights, const int64_t *bias, int16_t *output,
                       int channels, int height, int width, int out_channels, int group,
                       int kernel_h, int kernel_w, int pad_top, int pad_left,
                       int stride_h, int stride_w, int dilation_h, int dilation_w, int out_h, int out_w,
                       const int32_t *multipliers, const int32_t *shifts, int32_t act_min, int32_t act_max,
                       int channel_begin, int channel_end) {
    const int cg = channels / group, mg = out_channels / group;
    for (int m = channel_begin; m < channel_end; ++m) {
        const int g = m / mg;
        const int8_t *w = weights + (long)m * cg * kernel_h * kernel_w;
        int16_t *out = output + (long)m * out_h * out_w;
        for (int oy = 0; oy < out_h; ++oy) {
            for (int ox = 0; ox < out_w; ++ox) {
                int64_t acc = 0;
                for (int c = 0; c < cg; ++c) {
                    const int16_t *plane = input + (long)(g * cg + c) * height * width;
                    const int8_t *wc = w + (long)c * kernel_h * kernel_w;
                    for (int ky = 0; ky < kernel_h; ++ky) {
                        const int iy = oy * stride_h - pad_top + ky * dilation_h;
                        if (iy < 0 || iy >= height) continue;
                        for (int kx = 0; kx < kernel_w; ++kx) {
                            const int ix = ox * stride_w - pad_left + kx * dilation_w;
                            if (ix < 0 || ix >= width) continue;
                            acc += (int64_t)wc[ky * kernel_w + kx] * plane[(long)iy * width + ix];
                        }
                    }
                }
                if (bias) acc += bias[m];
                out[oy * out_w + ox] = clamp_s16(ferry_multiply_by_quantized_multiplier64(acc, multipliers[m], shifts[m]), act_min, act_max);
            }
        }
    }
}

void ferry_qfully_connected_s16(const int16_t *input, const int8_t *weights, const int64_t *bias, int16_t *output,
                                int depth, int outputs, const double *scales,
                                int32_t act_min, int32_t act_max, int row_begin, int row_end) {
    for (int b = row_begin; b < row_end; ++b) {
        const int16_t *x = input + (long)b * depth;
        for (int n = 0; n < outputs; ++n) {
            const int8_t *w = weights + (long)n * depth;
            int64_t acc = 0;
            for (int d = 0; d < depth; ++d) acc += (int64_t)w[d] * x[d];
            if (bias) acc += bias[n];
            const double scaled = round((double)acc * scales[n]);
            const int32_t v = scaled < -2147483648.0 ? INT32_MIN : (scaled > 2147483647.0 ? INT32_MAX : (int32_t)scaled);
            output[(long)b * outputs + n] = clamp_s16(v, act_min, act_max);
        }
    }
}

/* TFLite's int16 look-up tables: 512 interpolation steps over the input range plus an end
   point, each entry biased by half the interpolation error at the step's midpoint, computed
   in float as LUTPopulateInt16<float> does. */
static float lut_function(int function, float x) {
    switch (function) {
    case 0: return expf(x);
    case 1: return 1.0f / (1.0f + x);
    case 2: return 1.0f / (1.0f + expf(-x));
    default: return tanhf(x);
    }
}

void ferry_int16_lut_populate(float input_scale, int32_t input_zero_point, float output_scale, int32_t output_zero_point,
                              int function, int16_t *lut) {
    const float input_min = input_scale * (float)(-32768 - input_zero_point);
    const float input_max = input_scale * (float)(32767 - input_zero_point);
    const float output_min = output_scale * (float)(-32768 - output_zero_point);
    const float output_max = output_scale * (float)(32767 - output_zero_point);
    const int steps = 512;
    const float step = (input_max - input_min) / steps;
    const float half_step = step / 2;
    const float inverse = 65536.0f / (output_max - output_min);
    for (int i = 0; i < steps; ++i) {
        const float value = lut_function(function, input_min + i * step);
        const float midpoint = lut_function(function, input_min + i * step + half_step);
        const float next = lut_function(function, input_min + (i + 1) * step);
        const float sample = roundf(value * inverse);
        const float interpolated = roundf((next * inverse + roundf(value * inverse)) / 2);
        const float exact = roundf(midpoint * inverse);
        const float bias = roundf((interpolated - exact) / 2);
        float v = sample - bias;
        v = v < -32768.0f ? -32768.0f : (v > 32767.0f ? 32767.0f : v);
        lut[i] = (int16_t)v;
    }
    float last = roundf(lut_function(function, input_max) * inverse);
    last = last < -32768.0f ? -32768.0f : (last > 32767.0f ? 32767.0f : last);
    lut[steps] = (int16_t)last;
}

static inline int16_t lut_lookup_s16(int16_t value, const int16_t *lut) {
    const uint16_t index = (uint16_t)(256 + (value >> 7));
    const int16_t offset = value & 0x7f;
    const int16_t base = lut[index];
    const int16_t slope = (int16_t)(lut[index + 1] - lut[index]);
    const int delta = (slope * offset + 64) >> 7;
    return (int16_t)(base + delta);
}

void ferry_softmax_s16(const int16_t *input, int16_t *output, long rows, int depth, int32_t input_multiplier, int input_shift,
                       const int16_t *exp_lut, const int16_t *recip_lut) {
    for (long r = 0; r < rows; ++r) {
        const int16_t *x = input + r * depth;
        int16_t *y = output + r * depth;
        int16_t max_in_row = -32768;
        for (int c = 0; c < depth; ++c) max_in_row = x[c] > max_in_row ? x[c] : max_in_row;
        int32_t sum = 0;
        for (int c = 0; c < depth; ++c) {
            const int32_t diff = (int32_t)x[c] - max_in_row;
            const int32_t scaled = multiply_by_quantized_multiplier(diff, input_multiplier, input_shift, 0);
            int32_t centered = scaled + 32767;
            centered = centered < -32768 ? -32768 : (centered > 32767 ? 32767 : centered);
            y[c] = lut_lookup_s16((int16_t)centered, exp_lut);
            sum += y[c];
        }
        const int headroom_plus_one = sum == 0 ? 32 : __builtin_clz((uint32_t)sum);
        const int32_t shifted_sum = (int32_t)((((int64_t)sum << (headroom_plus_one - 1)) + (1 << 13)) >> 14);
        int32_t centered_sum = shifted_sum - ((1 << 15) + (1 << 16));
        centered_sum = centered_sum < -32768 ? -32768 : (centered_sum > 32767 ? 32767 : centered_sum);
        const int16_t reciprocal = lut_lookup_s16((int16_t)centered_sum, recip_lut);
        const int right_shift = 31 - headroom_plus_one;
        const int64_t round = (int64_t)1 << (right_shift - 1);
        for (int c = 0; c < depth; ++c) {
            int32_t v = (int32_t)(((int64_t)y[c] * reciprocal + round) >> right_shift);
            y[c] = (int16_t)(v < 0 ? 0 : (v > 32767 ? 32767 : v));
        }
    }
}

/* sigmoid(i/24) in 0.16 fixed point, i = 0…255: the table TFLite's int16 LOGISTIC and TANH
   interpolate (tanh(x) = 2·sigmoid(2x) − 1), made here from its definition. */
static uint16_t sigmoid_table[256];
static void make_sigmoid_table(void) {
    for (int i = 0; i < 256; ++i) {
        const double v = round(65536.0 / (1.0 + exp(-(double)i / 24.0)));
        sigmoid_table[i] = (uint16_t)(v > 65535.0 ? 65535.0 : v);
    }
}

static const uint16_t *sigmoid_table_uint16(void) {
    static int made = 0;
    if (!__atomic_load_n(&made, __ATOMIC_ACQUIRE)) {
        make_sigmoid_table();  /* idempotent: concurrent first calls write the same values */
        __atomic_store_n(&made, 1, __ATOMIC_RELEASE);
    }
    return sigmoid_table;
}

void ferry_logistic_s16(const int16_t *input, int16_t *output, long count, int32_t input_multiplier, int32_t input_left_shift) {
    const uint16_t *table = sigmoid_table_uint16();
    if (input_multiplier == 0) { input_multiplier = 3 << input_left_shift; input_left_shift = 0; }
    const int32_t round_bit = input_left_shift > 0 ? 1 << (input_left_shift - 1) : 0;
    for (long i = 0; i < count; ++i) {
        const int32_t x = (input[i] * input_multiplier + round_bit) >> input_left_shift;
        const uint32_t a = (uint32_t)(x < 0 ? -x : x);
        const uint32_t uh = a >> 9;
        uint32_t result;
        if (uh >= 255) {
            result = 0x7FFFu << 10;
        } else {
            const uint32_t ua = table[uh], ub = table[uh + 1], ut = a & 0x1ff;
            result = (ua << 9) + ut * (ub - ua);
        }
        result = x >= 0 ? result + (1u << 9) : (1u << (16 + 9)) - result + (1u << 9) - 1;
        output[i] = (int16_t)(result >> 10);
    }
}

void ferry_tanh_s16(const int16_t *input, int16_t *output, long count, int32_t input_multiplier, int32_t input_left_shift) {
    const uint16_t *table = sigmoid_table_uint16();
    if (input_multiplier == 0) { input_multiplier = 3 << input_left_shift; input_left_shift = 0; }
    const int32_t round_bit = input_left_shift > 0 ? 1 << (input_left_shift - 1) : 0;
    for (long i = 0; i < count; ++i) {
        const int32_t x = (input[i] * input_multiplier + round_bit) >> input_left_shift;
        const uint32_t a = (uint32_t)(x < 0 ? -x : x);
        const uint32_t uh = a >> 8;
        int32_t result;
        if (uh >= 255) {
            result = (int32_t)(0xFFFFu << 8);
        } else {
            const uint32_t ua = table[uh], ub = table[uh + 1];
            const uint8_t ut = (uint8_t)(a & 0xFF);
            result = (int32_t)((ua << 8) + ut * (ub - ua));
        }
        result = x >= 0 ? result - (1 << (14 + 9)) + (1 << (9 - 2)) : -result + (1 << (14 + 9)) + (1 << (9 - 2)) - 1;
        output[i] = (int16_t)(result >> (9 - 1));
    }
}

/* Per-tensor QuantizeLinear from float32: rint(x / scale) (round half to even, the default
   rounding mode) + zero point, clamped, NaN to the low end; eight lanes at a time with AVX2. */
#define FERRY_QUANTIZE_BODY(T, LOW, HIGH)                                                         \
    long i = 0;                                                                                   \
    QUANTIZE_VECTOR_LOOP                                                                          \
    for (; i < n; ++i) {                                                                          \
        float q = rintf(x[i] / scale) + zero;                                                     \
        q = q > (float)(LOW) ? q : (float)(LOW); /* NaN compares false: the low end */            \
        q = q < (float)(HIGH) ? q : (float)(HIGH);                                                \
        y[i] = (T)(int32_t)q;                                                                     \
    }

#define QUANTIZE_VECTOR_LOOP
static void quantize_s8_generic(const float *x, int8_t *y, long n, float scale, float zero) { FERRY_QUANTIZE_BODY(int8_t, -128, 127) }
static void quantize_s16_generic(const float *x, int16_t *y, long n, float scale, float zero) { FERRY_QUANTIZE_BODY(int16_t, -32768, 32767) }
#undef QUANTIZE_VECTOR_LOOP

#if defined(__x86_64__)
#define QUANTIZE_VECTOR_LOOP                                                                      \
    {                                                                                             \
        const __m256 vs = _mm256_set1_ps(scale), vz = _mm256_set1_ps(zero);                       \
        const __m256 vlo = _mm256_set1_ps((float)(LOW_BOUND)), vhi = _mm256_set1_ps((float)(HIGH_BOUND)); \
        for (; i + 8 <= n; i += 8) {                                                              \
            __m256 q = _mm256_round_ps(_mm256_div_ps(_mm256_loadu_ps(x + i), vs), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC); \
            q = _mm256_add_ps(q, vz);                                                             \
            q = _mm256_max_ps(q, vlo); /* NaN in the first operand gives the second */           \
            q = _mm256_min_ps(q, vhi);                                                            \
            const __m256i v = _mm256_cvttps_epi32(q);                                             \
            STORE_LANES                                                                           \
        }                                                                                         \
    }
#define LOW_BOUND -128
#define HIGH_BOUND 127
#define STORE_LANES {                                                                             \
        const __m256i p16 = _mm256_packs_epi32(v, v);                                             \
        const __m256i p8 = _mm256_packs_epi16(p16, p16);                                          \
        const int32_t first = _mm256_cvtsi256_si32(p8), second = _mm_cvtsi128_si32(_mm256_extracti128_si256(p8, 1)); \
        memcpy(y + i, &first, 4); memcpy(y + i + 4, &second, 4); }
__attribute__((target("avx2")))
static void quantize_s8_avx2(const float *x, int8_t *y, long n, float scale, float zero) { FERRY_QUANTIZE_BODY(int8_t, -128, 127) }
#undef LOW_BOUND
#undef HIGH_BOUND
#undef STORE_LANES
#define LOW_BOUND -32768
#define HIGH_BOUND 32767
#define STORE_LANES {                                                                             \
        const __m256i p16 = _mm256_packs_epi32(v, v);                                             \
        _mm_storel_epi64((__m128i *)(y + i), _mm256_castsi256_si128(p16));                        \
        _mm_storel_epi64((__m128i *)(y + i + 4), _mm256_extracti128_si256(p16, 1)); }
__attribute__((target("avx2")))
static void quantize_s16_avx2(const float *x, int16_t *y, long n, float scale, float zero) { FERRY_QUANTIZE_BODY(int16_t, -32768, 32767) }
#undef LOW_BOUND
#undef HIGH_BOUND
#undef STORE_LANES
#undef QUANTIZE_VECTOR_LOOP
#endif

void ferry_quantize_f32_s8(const float *x, int8_t *y, long n, float scale, float zero) {
#if defined(__x86_64__)
    if (__builtin_cpu_supports("avx2")) { quantize_s8_avx2(x, y, n, scale, zero); return; }
#endif
    quantize_s8_generic(x, y, n, scale, zero);
}

void ferry_quantize_f32_s16(const float *x, int16_t *y, long n, float scale, float zero) {
#if defined(__x86_64__)
    if (__builtin_cpu_supports("avx2")) { quantize_s16_avx2(x, y, n, scale, zero); return; }
#endif
    quantize_s16_generic(x, y, n, scale, zero);
}

static void fake_quantize_generic(const float *x, float *y, long n, float scale, float zero, float low, float high) {
    for (long i = 0; i < n; ++i) {
        float q = rintf(x[i] / scale) + zero;
        q = q > low ? q : low; /* NaN compares false: the low end */
        q = q < high ? q : high;
        y[i] = (q - zero) * scale;
    }
}

#if defined(__x86_64__)
__attribute__((target("avx2")))
static void fake_quantize_avx2(const float *x, float *y, long n, float scale, float zero, float low, float high) {
    const __m256 vs = _mm256_set1_ps(scale), vz = _mm256_set1_ps(zero);
    const __m256 vlo = _mm256_set1_ps(low), vhi = _mm256_set1_ps(high);
    long i = 0;
    for (; i + 8 <= n; i += 8) {
        __m256 q = _mm256_round_ps(_mm256_div_ps(_mm256_loadu_ps(x + i), vs), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
        q = _mm256_add_ps(q, vz);
        q = _mm256_max_ps(q, vlo); /* NaN in the first operand gives the second */
        q = _mm256_min_ps(q, vhi);
        _mm256_storeu_ps(y + i, _mm256_mul_ps(_mm256_sub_ps(q, vz), vs));
    }
    fake_quantize_generic(x + i, y + i, n - i, scale, zero, low, high);
}
#endif

void ferry_fake_quantize_f32(const float *x, float *y, long n, float scale, float zero, float low, float high) {
#if defined(__x86_64__)
    if (__builtin_cpu_supports("avx2")) { fake_quantize_avx2(x, y, n, scale, zero, low, high); return; }
#endif
    fake_quantize_generic(x, y, n, scale, zero, low, high);
}

#if defined(__x86_64__) && defined(__linux__)
/* An AVX2 clone, so that truncf is one instruction and the loops vectorize (same values). */
__attribute__((target_clones("avx2", "default")))
#endif
int ferry_quantize_symmetric_per_channel(const float *w, long outer, long channels, long inner, float qmax,
                                         float *scales, int8_t *q) {
    for (long c = 0; c < channels; c++) scales[c] = 0.0f;
    int finite = 1;
    for (long o = 0; o < outer; o++)
        for (long c = 0; c < channels; c++) {
            const float *run = w + (o * channels + c) * inner;
            float m = scales[c];
            for (long i = 0; i < inner; i++) {
                const float a = fabsf(run[i]);
                finite &= a <= FLT_MAX;
                m = a > m ? a : m;
            }
            scales[c] = m;
        }
    if (!finite) return -1;
    for (long c = 0; c < channels; c++) scales[c] = scales[c] > 0.0f ? scales[c] / qmax : 1.0f;
    for (long o = 0; o < outer; o++)
        for (long c = 0; c < channels; c++) {
            const long base = (o * channels + c) * inner;
            const float s = scales[c];
            for (long i = 0; i < inner; i++) {
                /* roundf without the call, so the loop vectorizes: trunc, then one step away from
                   zero when the dropped fraction is a half or more (x - trunc(x) is exact). Only a
                   zero's sign can differ from roundf, and the int8 has none. */
                const float x = w[base + i] / s, t = truncf(x);
                float r = fabsf(x - t) >= 0.5f ? t + copysignf(1.0f, x) : t;
                r = r < -qmax ? -qmax : r;
                r = r > qmax ? qmax : r;
                q[base + i] = (int8_t)r;
            }
        }
    return 0;
}

/* The smallest and largest finite values (+inf and -inf when there are none). */
#define FERRY_FINITE_RANGE_BODY                                                                   \
    float lo = INFINITY, hi = -INFINITY;                                                          \
    for (long i = 0; i < n; ++i) {                                                                \
        const float v = x[i];                                                                     \
        const int finite = fabsf(v) <= FLT_MAX;                                                   \
        lo = finite && v < lo ? v : lo;                                                           \
        hi = finite && v > hi ? v : hi;                                                           \
    }                                                                                             \
    *low = lo; *high = hi;
static void finite_range_generic(const float *x, long n, float *low, float *high) { FERRY_FINITE_RANGE_BODY }
#if defined(__x86_64__)
/* Eight lanes (the compiler keeps the scalar body scalar: its select does not vectorize);
   min and max are exact, so the result equals the scalar loop's whatever the lane order. */
__attribute__((target("avx2")))
static void finite_range_avx2(const float *x, long n, float *low, float *high) {
    const __m256 magnitude = _mm256_castsi256_ps(_mm256_set1_epi32(0x7fffffff));
    const __m256 largest = _mm256_set1_ps(FLT_MAX);
    const __m256 pos_inf = _mm256_set1_ps(INFINITY), neg_inf = _mm256_set1_ps(-INFINITY);
    __m256 lo0 = pos_inf, lo1 = pos_inf, hi0 = neg_inf, hi1 = neg_inf;
    long i = 0;
    for (; i + 16 <= n; i += 16) {
        const __m256 a = _mm256_loadu_ps(x + i), b = _mm256_loadu_ps(x + i + 8);
        const __m256 fa = _mm256_cmp_ps(_mm256_and_ps(a, magnitude), largest, _CMP_LE_OQ);
        const __m256 fb = _mm256_cmp_ps(_mm256_and_ps(b, magnitude), largest, _CMP_LE_OQ);
        lo0 = _mm256_min_ps(_mm256_blendv_ps(pos_inf, a, fa), lo0);
        hi0 = _mm256_max_ps(_mm256_blendv_ps(neg_inf, a, fa), hi0);
        lo1 = _mm256_min_ps(_mm256_blendv_ps(pos_inf, b, fb), lo1);
        hi1 = _mm256_max_ps(_mm256_blendv_ps(neg_inf, b, fb), hi1);
    }
    float los[8], his[8];
    _mm256_storeu_ps(los, _mm256_min_ps(lo0, lo1));
    _mm256_storeu_ps(his, _mm256_max_ps(hi0, hi1));
    float lo = INFINITY, hi = -INFINITY;
    for (int l = 0; l < 8; ++l) { lo = los[l] < lo ? los[l] : lo; hi = his[l] > hi ? his[l] : hi; }
    for (; i < n; ++i) {
        const float v = x[i];
        const int finite = fabsf(v) <= FLT_MAX;
        lo = finite && v < lo ? v : lo;
        hi = finite && v > hi ? v : hi;
    }
    *low = lo; *high = hi;
}
#endif
void ferry_finite_range_f32(const float *x, long n, float *low, float *high) {
#if defined(__x86_64__)
    if (__builtin_cpu_supports("avx2")) { finite_range_avx2(x, n, low, high); return; }
#endif
    finite_range_generic(x, n, low, high);
}
